import DriverDeskCore
import Foundation
import PostgresNIO

/// An account as the chain sees it: its shop's code (nil: the chain's own) and its staff member's name.
public struct ChainAccountFact: Sendable, Equatable {
    public var account: Account
    public var shopCode: String?
    public var staffName: String?
}

/// The chain's own accounts (`role = chain`, no shop): the chain's managers, who log in to the chain's page. The owner
/// adds them and changes them, in the chain's own log (`chain_audit`); the chain manager's role reads every account.
extension ChainDatabase {
    static let accountColumns = "a.id, a.name, a.role, a.staff_id, a.password_hash, a.active, a.epoch, a.created_at"

    static func account(_ row: PostgresRow) throws -> Account {
        let random = row.makeRandomAccess()
        guard let role = Role(rawValue: try random["role"].decode(String.self)) else {
            throw DeskError.storage(message: "the chain's database holds an unknown role")
        }
        return Account(id: try random["id"].decode(Int64.self), name: try random["name"].decode(String.self), role: role,
                       staffId: try random["staff_id"].decode(Int64?.self), passwordHash: try random["password_hash"].decode(String.self),
                       active: try random["active"].decode(Bool.self), epoch: Int(try random["epoch"].decode(Int32.self)),
                       createdAt: Date(timeIntervalSince1970: TimeInterval(try random["created_at"].decode(Int64.self))))
    }

    /// Every account this connection may read (the owner's and the chain manager's: all of them), the chain's own
    /// first, then by shop and name.
    public func allAccounts() throws -> [ChainAccountFact] {
        try locked {
            try query("""
                SELECT \(ChainDatabase.accountColumns), s.code, p.name AS staff_name FROM account a
                LEFT JOIN shop s ON s.id = a.shop_id LEFT JOIN staff st ON st.id = a.staff_id LEFT JOIN person p ON p.id = st.person_id
                ORDER BY s.code NULLS FIRST, lower(a.name), a.id
                """).map { row in
                let random = row.makeRandomAccess()
                return ChainAccountFact(account: try ChainDatabase.account(row), shopCode: try random["code"].decode(String?.self),
                                        staffName: try random["staff_name"].decode(String?.self))
            }
        }
    }

    /// The chain's own accounts (its managers'), by name.
    public func chainAccounts() throws -> [Account] {
        try locked {
            try query("SELECT \(ChainDatabase.accountColumns) FROM account a WHERE a.shop_id IS NULL ORDER BY lower(a.name), a.id").map(ChainDatabase.account)
        }
    }

    /// The chain's own account of a name, compared without case.
    public func chainAccount(named name: String) throws -> Account? {
        try locked {
            try query("SELECT \(ChainDatabase.accountColumns) FROM account a WHERE a.shop_id IS NULL AND lower(a.name) = lower($1)",
                      [PostgresData(string: name)]).first.map(ChainDatabase.account)
        }
    }

    /// Adds a chain manager's account (the owner only), in the chain's log. `decide` is told whether the name is taken
    /// among the chain's accounts (the use case's rule refuses in it, and nothing is written).
    public func addChainAccount(name: String, passwordHash: String, context: WriteContext, decide: (_ taken: Bool) throws -> Void) throws -> Account {
        try locked {
            try transaction {
                try decide(!query("SELECT 1 FROM account WHERE shop_id IS NULL AND lower(name) = lower($1)", [PostgresData(string: name)]).isEmpty)
                let rows = try query("""
                    INSERT INTO account (shop_id, name, role, password_hash, created_at) VALUES (NULL, $1, 'chain', $2, $3)
                    RETURNING id, name, role, staff_id, password_hash, active, epoch, created_at
                    """, [PostgresData(string: name), PostgresData(string: passwordHash), PostgresData(int64: context.now.seconds)])
                guard let account = try rows.first.map(ChainDatabase.account) else { throw DeskError.storage(message: "the account was not added") }
                try chainAudit(context, action: "account.add", subject: "account \(account.name)", before: nil, after: account.auditJSON)
                return account
            }
        }
    }

    /// A new password for a chain account, or disables it; either raises its epoch (its sessions end). In the chain's log.
    public func changeChainAccount(name: String, action: String, context: WriteContext, _ change: (inout Account) throws -> Void) throws -> Account {
        try locked {
            try transaction {
                guard var account = try query("SELECT \(ChainDatabase.accountColumns) FROM account a WHERE a.shop_id IS NULL AND lower(a.name) = lower($1) FOR UPDATE",
                                              [PostgresData(string: name)]).first.map(ChainDatabase.account) else {
                    throw DeskError.notFound(field: "name", reason: Message("notFound.account", ["name": .text(name)]))
                }
                let before = account.auditJSON
                try change(&account)
                account.epoch += 1
                try query("UPDATE account SET password_hash = $2, active = $3, epoch = $4 WHERE id = $1",
                          [PostgresData(int64: account.id!), PostgresData(string: account.passwordHash), PostgresData(bool: account.active),
                           PostgresData(int64: Int64(account.epoch))])
                try chainAudit(context, action: action, subject: "account \(account.name)", before: before, after: account.auditJSON)
                return account
            }
        }
    }

    func chainAudit(_ context: WriteContext, action: String, subject: String, before: String?, after: String?) throws {
        try query("INSERT INTO chain_audit (at, operator, action, subject, before, after) VALUES ($1, $2, $3, $4, $5, $6)", [
            PostgresData(int64: context.now.seconds), PostgresData(string: context.operator), PostgresData(string: action), PostgresData(string: subject),
            before.map { PostgresData(string: $0) } ?? PostgresData(type: .text), after.map { PostgresData(string: $0) } ?? PostgresData(type: .text),
        ])
    }

    /// Writes a login, a failed login or a logout of a chain account to the chain's log (`record_chain_login`: the
    /// chain manager's role may write nothing else). `name` nil: no account has the name typed.
    public func recordChainLogin(_ action: String, name: String?, operator operatorName: String, address: String, at: Date) throws {
        _ = try locked {
            try query("SELECT record_chain_login($1, $2, $3, $4, $5)", [
                PostgresData(string: action), name.map { PostgresData(string: $0) } ?? PostgresData(type: .text), PostgresData(string: operatorName),
                PostgresData(string: address), PostgresData(int64: at.seconds),
            ])
        }
    }

    /// The chain's log, oldest first.
    public func chainAuditEntries() throws -> [AuditEntry] {
        try locked {
            try query("SELECT id, at, operator, action, subject, before, after FROM chain_audit ORDER BY id").map { row in
                let (id, at, op, action, subject, before, after) = try row.decode((Int64, Int64, String, String, String, String?, String?).self)
                return AuditEntry(id: id, at: Date(timeIntervalSince1970: TimeInterval(at)), operator: op, action: action, subject: subject, before: before, after: after)
            }
        }
    }
}
