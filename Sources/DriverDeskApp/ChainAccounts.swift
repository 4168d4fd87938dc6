import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// The chain's managers' accounts (`role = chain`): added and changed with the owner's address on `?shop=*`, listed
/// with every shop's accounts, and logged in to the chain's page. Their changes and logins go to the chain's own log.
extension Chain {
    private var time: ShopTime { Config().time }

    /// `user add NAME --role chain` on the chain's address: a chain manager's account (no shop, no staff member).
    public func addUser(name: String, role: String, staff: String?, password: String) throws -> AccountView {
        let name = try AccountRules.name(name)
        try checkNewUser(role: role, staff: staff)
        let hash = try checkedPasswordHash(password, name: name)
        let account = try owning { try database.addChainAccount(name: name, passwordHash: hash, context: WriteContext(operator: operatorName, now: now)) { taken in
            try AccountRules.checkNew(name: name, taken: taken)
        } }
        return AccountView(account, staffName: nil, time: time)
    }

    /// Refuses what the chain's address cannot hold before a password is asked for: a shop's role, a staff member.
    public func checkNewUser(role: String, staff: String?) throws {
        let parsed = try Role.parse(role)
        guard parsed == .chain else {
            throw DeskError.invalid(field: "role", reason: Message("input.account.shopRoleOnChain", ["role": .term("role", parsed.rawValue)]))
        }
        if staff != nil { throw DeskError.invalid(field: "staff", reason: Message("input.account.chainStaff")) }
    }

    /// `user list` on `?shop=*`: the chain's managers, then every shop's accounts with their shop.
    public func users() throws -> [AccountView] {
        try database.allAccounts().map { AccountView($0.account, staffName: $0.staffName, shop: $0.shopCode, time: time) }
    }

    /// `user passwd NAME` on `?shop=*`: a chain manager's new password; his sessions end.
    public func setPassword(name: String, password: String) throws -> AccountView {
        let name = try AccountRules.name(name)
        let hash = try checkedPasswordHash(password, name: name)
        let account = try owning {
            try database.changeChainAccount(name: name, action: "account.passwd", context: WriteContext(operator: operatorName, now: now)) { $0.passwordHash = hash }
        }
        return AccountView(account, staffName: nil, time: time)
    }

    /// `user disable NAME` on `?shop=*`.
    public func disableUser(name: String) throws -> AccountView {
        let name = try AccountRules.name(name)
        let account = try owning {
            try database.changeChainAccount(name: name, action: "account.disable", context: WriteContext(operator: operatorName, now: now)) { account in
                try AccountRules.checkDisable(name: account.name, active: account.active)
                account.active = false
            }
        }
        return AccountView(account, staffName: nil, time: time)
    }

    /// A change only the chain's owner may make: the chain manager's role is told so (exit 2), not a storage failure.
    private func owning<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch DeskError.storage(let message) where message.contains("permission denied") {
            throw DeskError.invalid(field: "db", reason: Message("input.account.ownerOnly", ["role": .text("driverdesk_owner")]))
        }
    }

    /// Whether the chain has a manager's account: then its page asks for a login.
    public func hasAccounts() throws -> Bool { try !database.chainAccounts().isEmpty }

    /// A login to the chain's page, recorded in the chain's log; nil as `Shop.logIn` answers it.
    public func logIn(name: String, password: String, address: String, now: Date) throws -> SignedIn? {
        try LoginCheck.run(name: name, password: password, find: { name in
            try database.chainAccount(named: name).map { ($0, nil) }
        }, record: { action, name, operatorName in
            try database.recordChainLogin(action, name: name, operator: operatorName, address: address, at: now)
        })
    }

    public func logOut(_ person: SignedIn, address: String, now: Date) throws {
        try database.recordChainLogin("logout", name: person.name, operator: person.operatorName, address: address, at: now)
    }

    /// The chain's accounts as stored now, by id (the page checks its sessions against them).
    public func accountStates() throws -> [Int64: (active: Bool, epoch: Int)] {
        Dictionary(try database.chainAccounts().map { ($0.id!, (active: $0.active, epoch: $0.epoch)) }, uniquingKeysWith: { a, _ in a })
    }

    /// The chain's own log (its managers' accounts and logins), oldest first.
    public func chainAudit() throws -> [AuditView] {
        try database.chainAuditEntries().map { AuditView($0, time: time) }
    }
}
