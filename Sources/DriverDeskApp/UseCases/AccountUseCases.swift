import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    /// Adds an account; refuses a name the shop already has (whatever its case).
    func addAccount(_ new: NewAccount, context: WriteContext) throws -> AccountFact {
        try AccountRules.checkNew(name: new.name, taken: try account(named: new.name) != nil)
        let staff = try new.staff.map { try resolveStaff($0) }
        try AccountRules.checkStaff(role: new.role, staffGiven: staff != nil, staffActive: staff?.active)
        var account = Account(name: new.name, role: new.role, staffId: staff?.id, passwordHash: new.passwordHash, createdAt: context.now)
        try insert(&account)
        try audit(context, action: "account.add", subject: "account \(account.name)", before: nil, after: account.auditJSON)
        return AccountFact(account: account, staffName: staff?.name)
    }

    /// Every account of the shop, by name.
    func accountList() throws -> [AccountFact] {
        let accounts = try self.accounts()
        let staff = try self.staff(ids: Set(accounts.compactMap(\.staffId)))
        return accounts.map { AccountFact(account: $0, staffName: $0.staffId.flatMap { staff[$0]?.name }) }
    }

    /// The account of a login name, with its staff member's name (nil: no such account).
    func account(named name: String) throws -> AccountFact? {
        guard let account = try self.account(named: name) else { return nil }
        return AccountFact(account: account, staffName: try account.staffId.flatMap { try staff(id: $0)?.name })
    }

    func changeAccount(name: String, action: String, context: WriteContext, _ change: (inout Account) throws -> Void) throws -> AccountFact {
        guard var account = try self.account(named: name) else {
            throw DeskError.notFound(field: "name", reason: Message("notFound.account", ["name": .text(name)]))
        }
        let before = account.auditJSON
        try change(&account)
        account.epoch += 1
        try update(account)
        try audit(context, action: action, subject: "account \(account.name)", before: before, after: account.auditJSON)
        return AccountFact(account: account, staffName: try account.staffId.flatMap { try staff(id: $0)?.name })
    }
}

extension ShopStore {
    /// Adds an account; refuses a name the shop already has (whatever its case).
    func addAccount(_ new: NewAccount, context: WriteContext) throws -> AccountFact {
        try writing { tx in try tx.addAccount(new, context: context) }
    }

    /// Every account of the shop, by name.
    func accountList() throws -> [AccountFact] {
        try reading { tx in try tx.accountList() }
    }

    /// The account of a login name, with its staff member's name (nil: no such account).
    func account(named name: String) throws -> AccountFact? {
        try reading { tx in try tx.account(named: name) }
    }

    func changeAccount(name: String, action: String, context: WriteContext, _ change: (inout Account) throws -> Void) throws -> AccountFact {
        try writing { tx in try tx.changeAccount(name: name, action: action, context: context, change) }
    }

    /// Whether the shop has any account yet (before the first, the loopback front desk needs no login).
    func hasAccounts() throws -> Bool {
        try reading { tx in try !tx.accounts().isEmpty }
    }

    /// A new password for an account: its sessions end (the epoch goes up). Audited without the password.
    func setPassword(name: String, passwordHash: String, context: WriteContext) throws -> AccountFact {
        try changeAccount(name: name, action: "account.passwd", context: context) { account in
            account.passwordHash = passwordHash
        }
    }

    /// Disables an account: it can no longer log in and its sessions end. An account already disabled is refused.
    func disableAccount(name: String, context: WriteContext) throws -> AccountFact {
        try changeAccount(name: name, action: "account.disable", context: context) { account in
            try AccountRules.checkDisable(name: account.name, active: account.active)
            account.active = false
        }
    }

    /// Audits a login, a failed one, or a logout: the account's name (an unknown name is not written down: a
    /// password typed into the name field would be), and the address it came from.
    func recordLogin(_ action: String, name: String?, address: String, context: WriteContext) throws {
        try writing { tx in
            try tx.audit(context, action: action, subject: name.map { "account \($0)" } ?? "account (unknown name)",
                         before: nil, after: Audit.json(["address": address]))
        }
    }
}
