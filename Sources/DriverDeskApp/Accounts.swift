import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// An account as lists and `--json` show it: never its password nor the hash of it.
public struct AccountView: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: String
    /// The staff member this person is, or nil.
    public var staff: StaffRef?
    /// On a chain's `?shop=*`: the account's shop, or nil for the chain's own (the key is left out on a shop).
    public var shop: String?
    public var active: Bool
    public var createdAt: String

    init(_ account: Account, staffName: String?, shop: String? = nil, time: ShopTime) {
        id = account.id ?? 0
        name = account.name
        role = account.role.rawValue
        staff = account.staffId.map { StaffRef(id: $0, name: staffName ?? "#\($0)") }
        self.shop = shop
        active = account.active
        createdAt = time.formatISO(account.createdAt)
    }

    init(_ fact: AccountFact, time: ShopTime) {
        self.init(fact.account, staffName: fact.staffName, time: time)
    }
}

/// The person a web session stands for, as it was when he logged in.
public struct SignedIn: Sendable, Equatable {
    public var accountId: Int64
    public var name: String
    public var role: Role
    public var staffName: String?
    /// The staff member the account is tied to (a driver's always is).
    public var staffId: Int64?
    /// The account's epoch at login: a new password or disabling raises it, and the session is over.
    public var epoch: Int

    /// The actor of the use cases this person asks for.
    public var actor: Actor { .account(name: name, role: role, staffId: staffId) }
    /// How the audit names him: the account, and the staff member it is linked to.
    public var operatorName: String { AccountRules.operatorName(account: name, staff: staffName) }
}

/// The 10,000 most common passwords (`data/common-passwords.txt`), refused for accounts.
public enum CommonPasswords {
    private static let list: Result<Set<String>, DeskError> = {
        do {
            let url = try Resources.folder("data").appendingPathComponent("common-passwords.txt")
            let text = try String(contentsOf: url, encoding: .utf8)
            return .success(Set(text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }.map { $0.lowercased() }))
        } catch let error as DeskError {
            return .failure(error)
        } catch {
            return .failure(.storage(message: "cannot read data/common-passwords.txt: \(error.localizedDescription)"))
        }
    }()

    /// Whether `password` (compared without case) is on the list; throws when the list cannot be read.
    public static func contains(_ password: String) throws -> Bool {
        try list.get().contains(password.lowercased())
    }

    /// How many passwords the list holds.
    public static func count() throws -> Int { try list.get().count }
}

/// Checks a new password (length, not the name, not a common one) and hashes it.
func checkedPasswordHash(_ password: String, name: String, field: String = "password") throws -> String {
    try AccountRules.checkPassword(password, name: name, isCommon: try CommonPasswords.contains(password), field: field)
    return try PasswordHash.make(password)
}

/// A login, the same for a shop's accounts and the chain's: the same answer, and the same cost (one password hash),
/// for an unknown name, a disabled account and a wrong password; every attempt recorded.
enum LoginCheck {
    /// A hash no password matches, checked for unknown and disabled accounts so that they take as long as a wrong
    /// password (nobody learns from the time which names exist).
    static let decoy: String = (try? PasswordHash.make("decoy " + UUID().uuidString)) ?? ""

    /// `find`: the account of a name and its staff member's name; `record`: writes (action, the account's name or nil
    /// for an unknown one, the operator) to the audit.
    static func run(name rawName: String, password: String, find: (String) throws -> (Account, String?)?,
                    record: (String, String?, String) throws -> Void) throws -> SignedIn? {
        let name = (try? AccountRules.name(rawName)) ?? ""
        guard let (account, staffName) = name.isEmpty ? nil : try find(name) else {
            _ = PasswordHash.verify(password, hash: decoy)
            try record("login.failed", nil, "web")
            return nil
        }
        let matches = PasswordHash.verify(password, hash: account.active ? account.passwordHash : decoy)
        guard matches, account.active else {
            try record("login.failed", account.name, "web")
            return nil
        }
        let person = SignedIn(accountId: account.id!, name: account.name, role: account.role, staffName: staffName, staffId: account.staffId, epoch: account.epoch)
        try record("login", account.name, person.operatorName)
        return person
    }
}

extension Desk {
    func passwordHash(_ password: String, name: String, field: String) throws -> String {
        try checkedPasswordHash(password, name: name, field: field)
    }

    /// `user add NAME --role R [--staff S]`: a person's own login to the web front desk.
    public func addUser(name: String, role: String, staff: String?, password: String) throws -> AccountView {
        try actor.check(.accounts)
        let name = try AccountRules.name(name)
        let role = try Role.parse(role)
        try AccountRules.checkRole(role, isChain: false)
        let staffKey = try staff.map { raw -> String in
            let text = raw.trimmingSpaces()
            guard !text.isEmpty else { throw DeskError.invalid(field: "staff", reason: Message("input.staff.required")) }
            return text
        }
        try AccountRules.checkStaff(role: role, staffGiven: staffKey != nil, staffActive: nil)
        // The slow hash before the transaction: it holds no lock while it works.
        let hash = try passwordHash(password, name: name, field: "password")
        return try database.writing { tx in
            let config = try tx.config()
            let fact = try tx.addAccount(NewAccount(name: name, role: role, staff: staffKey, passwordHash: hash), context: context)
            return AccountView(fact, time: config.time)
        }
    }

    /// `user list`.
    public func users() throws -> [AccountView] {
        try actor.check(.accounts)
        let config = try config()
        return try database.accountList().map { AccountView($0, time: config.time) }
    }

    /// `user passwd NAME`: a new password; the account's sessions end.
    public func setPassword(name: String, password: String) throws -> AccountView {
        try actor.check(.accounts)
        let config = try config()
        let name = try AccountRules.name(name)
        let hash = try passwordHash(password, name: name, field: "password")
        return AccountView(try database.setPassword(name: name, passwordHash: hash, context: context), time: config.time)
    }

    /// `user disable NAME`: no more logins; the account's sessions end. Its history stays in the audit.
    public func disableUser(name: String) throws -> AccountView {
        try actor.check(.accounts)
        let config = try config()
        return AccountView(try database.disableAccount(name: try AccountRules.name(name), context: context), time: config.time)
    }
}

extension Shop {
    /// Whether the shop has any account yet: until it does, the loopback front desk needs no login.
    public func hasAccounts() throws -> Bool { try database.hasAccounts() }

    /// Checks a login at `now` from `address`, and audits it (a failure too, without the name when no account has
    /// it). Nil: the name or the password is wrong, or the account is disabled; which one is never said.
    public func logIn(name: String, password: String, address: String, now: Date) throws -> SignedIn? {
        try LoginCheck.run(name: name, password: password, find: { name in
            try database.account(named: name).map { ($0.account, $0.staffName) }
        }, record: { action, name, operatorName in
            try database.recordLogin(action, name: name, address: address, context: WriteContext(operator: operatorName, now: now.wholeSeconds))
        })
    }

    /// Audits a logout.
    public func logOut(_ person: SignedIn, address: String, now: Date) throws {
        try database.recordLogin("logout", name: person.name, address: address, context: WriteContext(operator: person.operatorName, now: now.wholeSeconds))
    }

    /// The accounts as stored now, by id (the web checks its sessions against them when the database changes).
    public func accountStates() throws -> [Int64: (active: Bool, epoch: Int)] {
        Dictionary(try database.accountList().map { ($0.account.id!, (active: $0.account.active, epoch: $0.account.epoch)) }, uniquingKeysWith: { a, _ in a })
    }
}
