import Foundation

/// What a person logged in to the web front desk may do (docs/rulebook.md, "People and roles").
public enum Role: String, Sendable, CaseIterable, Codable {
    /// The front desk: movements, visits, cars, invites, recording violations, printing.
    case desk
    /// The workshop manager: also processing and payments, manual assignment, cleanup, settings, staff, reports, the
    /// audit and the accounts of his shop.
    case manager
    /// The chain's manager: reads every shop, its reports, and the accounts; changes nothing in a shop.
    case chain
    /// A mechanic on his own phone, tied to his staff record: starts and ends only his own movements (by opening a key
    /// tag's link) and sees only his own record; nothing else of the shop.
    case driver

    /// Whether this role may do what `permission` covers.
    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.desk, .read), (.manager, .read), (.chain, .read): true
        case (.driver, .drive): true
        case (.desk, .frontDesk), (.manager, .frontDesk): true
        case (.manager, .manage): true
        case (.manager, .report), (.chain, .report): true
        case (.manager, .accounts), (.chain, .accounts): true
        default: false
        }
    }

    /// A role as typed (`--role`, a form), or `.invalid` naming the field.
    public static func parse(_ raw: String, field: String = "role") throws -> Role {
        guard let role = Role(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(Role.allCases.map(\.rawValue))]))
        }
        return role
    }
}

/// What a use case needs of the person who asks for it. Every use case names one; `Role.allows` decides.
public enum Permission: String, Sendable, CaseIterable {
    /// Seeing the shop: the dashboard, lists, who drove, a car's or a driver's page.
    case read
    /// The front desk's work: cars, visits, movements, invites and their slips and tags, recording violations.
    case frontDesk
    /// A manager's decisions: processing, payments, manual assignment, cleanup, settings, staff, backup.
    case manage
    /// The report and the audit.
    case report
    /// Adding, disabling and resetting accounts.
    case accounts
    /// A driver's own: starting and ending his own movements, seeing his own record.
    case drive
}

/// Who asks: a person logged in with an account, or the one who runs the command line (or the loopback front desk
/// before any account exists), who may do everything.
public enum Actor: Sendable, Equatable {
    case administrator
    /// `staffId`: the staff member the account is tied to (a driver's always is).
    case account(name: String, role: Role, staffId: Int64? = nil)

    /// Refuses (exit 1, 403 on the web) what this person's role does not cover; nothing is written.
    public func check(_ permission: Permission) throws {
        guard case .account(let name, let role, _) = self, !role.allows(permission) else { return }
        throw DeskError.forbidden(reasons: [
            Message("role.notAllowed", ["name": .text(name), "role": .term("role", role.rawValue)]),
        ])
    }
}

/// A web account as stored: never its password, only the slow salted hash of it.
public struct Account: Sendable, Equatable, Codable {
    public var id: Int64?
    public var name: String
    public var role: Role
    /// The staff member this person is, if any: the audit names both.
    public var staffId: Int64?
    public var passwordHash: String
    public var active: Bool
    /// Raised by every change of password and by disabling: a session made before it is over.
    public var epoch: Int
    public var createdAt: Date

    public init(id: Int64? = nil, name: String, role: Role, staffId: Int64?, passwordHash: String, active: Bool = true, epoch: Int = 1, createdAt: Date) {
        self.id = id
        self.name = name
        self.role = role
        self.staffId = staffId
        self.passwordHash = passwordHash
        self.active = active
        self.epoch = epoch
        self.createdAt = createdAt
    }
}

/// The rules of names and passwords.
public enum AccountRules {
    public static let minimumPasswordLength = 10
    public static let maximumPasswordLength = 200

    /// A login name: 1–32 letters (of any script), digits, `.`, `_` or `-`; kept as typed, compared without case.
    public static func name(_ raw: String, field: String = "name") throws -> String {
        let name = raw.trimmingSpaces()
        guard !name.isEmpty else { throw DeskError.invalid(field: field, reason: Message("input.account.nameRequired")) }
        guard name.count <= 32, name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }) else {
            throw DeskError.invalid(field: field, reason: Message("input.account.name", ["raw": .text(String(name.prefix(40)))]))
        }
        return name
    }

    /// Refuses a password that is short, very long, the name itself, or one of the most common (`isCommon`: whether
    /// the shipped list holds it).
    public static func checkPassword(_ password: String, name: String, isCommon: Bool, field: String = "password") throws {
        guard password.count >= minimumPasswordLength else {
            throw DeskError.invalid(field: field, reason: Message("input.password.short", ["min": .number(minimumPasswordLength)]))
        }
        guard password.count <= maximumPasswordLength else {
            throw DeskError.invalid(field: field, reason: Message("input.password.long", ["max": .number(maximumPasswordLength)]))
        }
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DeskError.invalid(field: field, reason: Message("input.password.control"))
        }
        guard password.lowercased() != name.lowercased(), !isCommon else {
            throw DeskError.invalid(field: field, reason: Message("input.password.common"))
        }
    }

    /// Refuses a role the database cannot hold: a shop's own file has no chain to read across.
    public static func checkRole(_ role: Role, isChain: Bool) throws {
        if role == .chain && !isChain {
            throw DeskError.invalid(field: "role", reason: Message("input.account.chainRole"))
        }
    }

    /// A driver's account is tied to a staff member (`--staff`), who must be employed now: it records movements in
    /// his name. The chain's account is tied to nobody of a shop.
    public static func checkStaff(role: Role, staffGiven: Bool, staffActive: Bool?) throws {
        if role == .driver && !staffGiven {
            throw DeskError.invalid(field: "staff", reason: Message("input.account.driverStaff"))
        }
        if role == .driver, staffActive == false {
            throw DeskError.invalid(field: "staff", reason: Message("input.account.driverInactive"))
        }
    }

    /// Refuses a name another account of the shop (or of the chain) already has, whatever its case.
    public static func checkNew(name: String, taken: Bool) throws {
        if taken { throw DeskError.invalid(field: "name", reason: Message("input.account.taken", ["name": .text(name)])) }
    }

    /// Refuses to disable an account that is disabled already (exit 1: nothing to do).
    public static func checkDisable(name: String, active: Bool) throws {
        guard active else { throw DeskError.refusedWith(rule: "account", reasons: [Message("account.alreadyDisabled", ["name": .text(name)])]) }
    }

    /// How the audit names a person on the web: the account, and the staff member it is linked to.
    public static func operatorName(account: String, staff: String?) -> String {
        guard let staff, !staff.isEmpty, staff != account else { return account }
        return "\(account) (\(staff))"
    }
}

/// Failed logins are throttled per account and per address: after `limit` failures within `window`, no login is
/// tried until the oldest of them leaves the window.
public struct LoginLockout: Sendable, Equatable {
    public static let standard = LoginLockout(limit: 5, window: 15 * 60)

    public var limit: Int
    public var window: TimeInterval

    public init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// The failures still counted at `now` (inside the window), oldest first.
    public func counted(_ failures: [Date], now: Date) -> [Date] {
        failures.filter { now.timeIntervalSince($0) < window && $0 <= now }.sorted()
    }

    /// When the lock lifts, if `failures` lock the account or address at `now`; nil: a login may be tried.
    public func lockedUntil(_ failures: [Date], now: Date) -> Date? {
        let recent = counted(failures, now: now)
        guard recent.count >= limit else { return nil }
        // Once fewer than `limit` remain in the window a login may be tried: that is when the oldest that keeps the
        // count at the limit leaves it.
        return recent[recent.count - limit].addingTimeInterval(window)
    }
}

/// When a web session ends: after a shift from its login, and after `idle` without a request (off loopback).
public struct SessionRules: Sendable, Equatable {
    public var shift: TimeInterval
    /// nil: no idle limit (the loopback front desk, which only this PC reaches).
    public var idle: TimeInterval?

    public init(shift: TimeInterval, idle: TimeInterval?) {
        self.shift = shift
        self.idle = idle
    }

    /// A web session's rules: it lasts `web.sessionHours` (a shift), and ends after 30 idle minutes unless the
    /// browser runs on the front desk's own PC (a loopback address, which only this PC reaches).
    public init(shiftHours: Int, loopback: Bool) {
        self.init(shift: TimeInterval(shiftHours * 3600), idle: loopback ? nil : 30 * 60)
    }

    /// The same for a role: a driver's session lasts his shift with no idle limit (his own phone, which he takes out
    /// when he moves a car; it can do nothing but record his own movements), so he logs in once a day.
    public init(shiftHours: Int, loopback: Bool, role: Role) {
        self.init(shift: TimeInterval(shiftHours * 3600), idle: loopback || role == .driver ? nil : 30 * 60)
    }

    public enum Ending: String, Sendable, Equatable {
        /// The shift is over, or the session sat idle too long, or the account changed (a new password, disabled).
        case shift, idle, account
    }

    /// Why a session that began at `loggedIn` and was last used at `lastSeen` is over at `now`, or nil.
    public func ending(loggedIn: Date, lastSeen: Date, now: Date) -> Ending? {
        if now.timeIntervalSince(loggedIn) >= shift { return .shift }
        if let idle, now.timeIntervalSince(lastSeen) >= idle { return .idle }
        return nil
    }

    /// The same, and also over when the account is disabled or its epoch moved on since the login (`user passwd`,
    /// `user disable`): `account` nil means the account is gone.
    public func ending(loggedIn: Date, lastSeen: Date, now: Date, account: (active: Bool, epoch: Int)?, loggedInEpoch: Int) -> Ending? {
        if let ending = ending(loggedIn: loggedIn, lastSeen: lastSeen, now: now) { return ending }
        guard let account, account.active, account.epoch == loggedInEpoch else { return .account }
        return nil
    }
}
