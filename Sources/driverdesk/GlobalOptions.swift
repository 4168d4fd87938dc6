import ArgumentParser
import DriverDeskApp
import Foundation

/// The options every command takes, before or after its name (docs/cli.md, global options).
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The database: a SQLite file, or a chain's postgres://USER@HOST/DB?shop=CODE (default: $DRIVERDESK_DB, else $XDG_DATA_HOME/driverdesk/driverdesk.sqlite).", valueName: "path"))
    var db: String?

    @Option(help: ArgumentHelp("The clock, for back-dated entry and tests (default: $DRIVERDESK_NOW, else the real time).", valueName: "time"))
    var now: String?

    @Option(name: .customLong("operator"), help: ArgumentHelp("Who makes the change, for the audit (default: $DRIVERDESK_OPERATOR, else the login name).", valueName: "name"))
    var operatorName: String?

    @Option(name: .customLong("lang"), help: ArgumentHelp("The language of what is printed: zh-Hans (简体中文) or en (default: $DRIVERDESK_LANG, else the shop's ui.language).", valueName: "language"))
    var lang: String?

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    /// The names of the options above, for moving them behind the command name (see `main.swift`).
    static let valued: Set<String> = ["--db", "--now", "--operator", "--lang"]
    static let flags: Set<String> = ["--json"]

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var databasePath: String {
        if let db, !db.isEmpty { return db }
        if let db = environment["DRIVERDESK_DB"], !db.isEmpty { return db }
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("driverdesk/driverdesk.sqlite")
    }

    /// `--operator` as given, checked like any name people type (it goes into the audit as it is); nil when not given.
    func operatorOption() throws -> String? {
        guard let name = operatorName?.trimmingSpaces(), !name.isEmpty else { return nil }
        return try Fields.name(name, field: "operator", maxLength: 64)
    }

    /// Who makes the change: `--operator`, else `$DRIVERDESK_OPERATOR`, else the login name, each checked.
    func operatorNameResolved() throws -> String {
        if let name = try operatorOption() { return name }
        if let name = environment["DRIVERDESK_OPERATOR"]?.trimmingSpaces(), !name.isEmpty {
            return try Fields.name(name, field: "DRIVERDESK_OPERATOR", maxLength: 64)
        }
        if let name = environment["USER"] ?? environment["LOGNAME"], !name.isEmpty { return try Fields.name(name, field: "USER", maxLength: 64) }
        return try Fields.name(NSUserName(), field: "operator", maxLength: 64)
    }

    /// Where the database was named, for errors about it: `--db`, else `$DRIVERDESK_DB` when that is what was read.
    var dbField: String {
        if let db, !db.isEmpty { return "db" }
        if let db = environment["DRIVERDESK_DB"], !db.isEmpty { return "DRIVERDESK_DB" }
        return "db"
    }

    /// `--db` (else `$DRIVERDESK_DB`, else the default file) read: a SQLite file, or a chain's PostgreSQL address
    /// (`$PGPASSWORD` gives its password when the address has none).
    func address() throws -> DatabaseAddress {
        try DatabaseAddress(parsing: databasePath, field: dbField, environment: environment)
    }

    /// Opens the shop's database (creating it with its schema on first use): one connection for a command, a pool
    /// of readers for the server; on a chain's PostgreSQL database, the address's shop.
    func shop(_ connections: Shop.Connections = .single) throws -> Shop {
        switch try address() {
        case .sqlite(let path):
            return try Shop.open(path: path, connections: connections)
        case .postgres(let address):
            return try Shop.open(chain: address, field: dbField, now: Date(), connections: connections)
        }
    }

    /// What the address opens when it is a chain's `?shop=*` (the chain manager's view, and his accounts): the chain;
    /// nil for a shop (a file, or one shop of a chain). The one place a command asks which kind of address it has,
    /// beside opening the shop.
    func chainManager() throws -> Chain? {
        guard case .postgres(let address) = try address(), case .chain = address.shop else { return nil }
        return try chain()
    }

    /// Refuses (exit 2, nothing written) a command that a chain's PostgreSQL database does with its own tools.
    func refuseChain(_ reason: Message) throws {
        if case .postgres = try address() { throw DeskError.invalid(field: dbField, reason: reason) }
    }

    /// The chain's address (`shop add`, `shop list`, `shop password`); a file's path is refused (exit 2).
    func chainAddress() throws -> DatabaseAddress.Postgres {
        guard case .postgres(let address) = try address() else {
            throw DeskError.invalid(field: dbField,
                                    reason: Message("input.db.chainOnly", ["example": .text("postgres://driverdesk_owner@/driverdesk?host=/run/postgresql&shop=*")]))
        }
        return address
    }

    /// The chain's database (`shop add`, `shop list`), made or migrated on first use.
    func chain() throws -> Chain {
        let address = try chainAddress()
        let name = try operatorNameResolved()
        _ = try language()
        let raw = now ?? environment["DRIVERDESK_NOW"].flatMap { $0.isEmpty ? nil : $0 }
        // The chain has no time zone of its own: --now is read in the default shop zone's.
        let clock = try raw.map { try Config().time.parse($0, field: now != nil ? "now" : "DRIVERDESK_NOW", now: Date()) } ?? Date()
        return try Chain.open(address, now: clock, operator: name)
    }

    /// `--lang`, else `$DRIVERDESK_LANG`, checked; nil: the shop's `ui.language`.
    func language() throws -> Language? {
        if let language = try Language.parse(lang, field: "lang") { return language }
        return try Language.parse(environment["DRIVERDESK_LANG"], field: "DRIVERDESK_LANG")
    }

    /// The use cases on the chosen database at the chosen time, in the chosen language.
    func desk() throws -> Desk {
        let name = try operatorNameResolved()
        let language = try language()
        let shop = try shop()
        let desk = shop.desk(now: try clock(shop), operator: name, language: language)
        Voice.use(desk)
        return desk
    }

    /// `--now` (else `$DRIVERDESK_NOW`) read in the shop's time zone; the real time when neither is given.
    func clock(_ shop: Shop) throws -> Date {
        let raw = now ?? environment["DRIVERDESK_NOW"].flatMap { $0.isEmpty ? nil : $0 }
        guard let raw else { return Date() }
        let field = now != nil ? "now" : "DRIVERDESK_NOW"
        return try shop.config().time.parse(raw, field: field, now: Date())
    }

    var output: Output { Output(json: json) }

    /// The database as it may be shown: the path of a file, a chain's address without its password.
    var shownDatabase: String {
        if case .postgres(let address)? = try? address() { return address.shown }
        return databasePath
    }
}
