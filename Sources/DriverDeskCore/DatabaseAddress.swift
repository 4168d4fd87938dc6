/// Where a shop's data lives, from `--db` or `$DRIVERDESK_DB`: a SQLite file (one shop, the embedded default), or a
/// PostgreSQL database holding a chain of shops and the code of the shop this desk works for.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB?shop=CODE`, or libpq's form for a unix socket,
/// `postgres://USER@/DB?host=/run/postgresql[&port=N]&shop=CODE`; `postgresql://` too. Without a password in the address,
/// `$PGPASSWORD` is used, as `psql` does. `?shop=*` asks for the chain-wide read-only view.
public enum DatabaseAddress: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(Postgres)

    public struct Postgres: Equatable, Sendable {
        public var user: String
        public var password: String?
        /// A host name or address, or the folder of a unix socket (it starts with `/`).
        public var host: String
        public var port: Int
        public var database: String
        public var shop: Shop

        public init(user: String, password: String?, host: String, port: Int, database: String, shop: Shop) {
            self.user = user
            self.password = password
            self.host = host
            self.port = port
            self.database = database
            self.shop = shop
        }

        /// Whether `host` is the folder of a unix socket.
        public var isSocket: Bool { host.hasPrefix("/") }

        /// The address as it may be shown: everything but the password.
        public var shown: String {
            let shop = switch self.shop { case .code(let code): code; case .chain: "*" }
            let socketPort = port == DatabaseAddress.defaultPort ? "" : "&port=\(port)"
            return isSocket ? "postgres://\(user)@/\(database)?host=\(host)\(socketPort)&shop=\(shop)" : "postgres://\(user)@\(host):\(port)/\(database)?shop=\(shop)"
        }
    }

    /// The shop an address names: one shop, or the whole chain (read only).
    public enum Shop: Equatable, Sendable {
        case code(String)
        case chain
    }

    /// PostgreSQL's port when an address names none.
    public static let defaultPort = 5432

    /// Reads an address; `environment` gives `PGPASSWORD`. Anything not starting with `postgres://` or
    /// `postgresql://` is a file path.
    public init(parsing raw: String, field: String = "db", environment: [String: String] = [:]) throws {
        let text = raw.trimmingSpaces()
        guard !text.isEmpty else { throw DeskError.invalid(field: field, reason: Message("input.db.required")) }
        let scheme = ["postgres://", "postgresql://"].first { text.lowercased().hasPrefix($0) }
        guard let scheme else {
            // postgres:/… or postgresql:user@… is a mistyped address, not a file to make (whose name might hold a password).
            if ["postgres:", "postgresql:"].contains(where: { text.lowercased().hasPrefix($0) }) {
                throw DeskError.invalid(field: field, reason: Message("input.db.address", ["part": .term("addressPart", "scheme"), "example": .text("postgres://driverdesk@/driverdesk?host=/run/postgresql&shop=BJ01")]))
            }
            self = .sqlite(path: text)
            return
        }
        func bad(_ why: String) -> DeskError {
            .invalid(field: field, reason: Message("input.db.address", ["part": .term("addressPart", why), "example": .text("postgres://driverdesk@/driverdesk?host=/run/postgresql&shop=BJ01")]))
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, let key = DatabaseAddress.decode(parts[0]), let value = DatabaseAddress.decode(parts[1]) else { throw bad("query") }
                guard query[key] == nil else { throw bad("query") }
                query[key] = value
            }
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw bad("database") }
        let authority = rest[..<slash]
        guard let database = DatabaseAddress.decode(rest[rest.index(after: slash)...]), !database.isEmpty, !database.contains("/") else { throw bad("database") }
        guard let at = authority.lastIndex(of: "@") else { throw bad("user") }
        let credentials = authority[..<at], location = authority[authority.index(after: at)...]
        let userPart = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let user = DatabaseAddress.decode(userPart[0]), !user.isEmpty else { throw bad("user") }
        var password = userPart.count == 2 ? DatabaseAddress.decode(userPart[1]) : nil
        if userPart.count == 2, password == nil { throw bad("password") }
        if password == nil, let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty { password = fromEnvironment }
        var host = "", port = DatabaseAddress.defaultPort
        if location.isEmpty {
            guard let socket = query["host"], socket.hasPrefix("/") else { throw bad("host") }
            host = socket
            // libpq's ?port=N: a server on another port has its socket named by it (.s.PGSQL.N).
            if let number = query["port"] {
                guard let value = Int(number), (1...65_535).contains(value) else { throw bad("port") }
                port = value
            }
        } else {
            guard query["host"] == nil, query["port"] == nil else { throw bad("host") }
            var name = location
            if let colon = location.lastIndex(of: ":"), !location.hasSuffix("]") {
                guard let number = Int(location[location.index(after: colon)...]), (1...65_535).contains(number) else { throw bad("port") }
                port = number
                name = location[..<colon]
            }
            if name.hasPrefix("[") && name.hasSuffix("]") { name = name.dropFirst().dropLast() }
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }) else { throw bad("host") }
            host = String(name)
        }
        guard let code = query["shop"] else { throw DeskError.invalid(field: field, reason: Message("input.db.noShop")) }
        let shop: Shop
        if code == "*" {
            shop = .chain
        } else {
            shop = .code(try DatabaseAddress.shopCode(code, field: field))
        }
        let unknown = Set(query.keys).subtracting(["shop", "host", "port"])
        guard unknown.isEmpty else { throw bad("query") }
        self = .postgres(Postgres(user: user, password: password, host: host, port: port, database: database, shop: shop))
    }

    /// A shop's code: 1 to 32 letters, digits, `-` or `_`, starting with a letter or digit (`BJ01`, `sh-pudong`).
    public static func shopCode(_ raw: String, field: String) throws -> String {
        let code = raw.trimmingSpaces()
        guard let first = code.first, first.isASCII, first.isLetter || first.isNumber, code.count <= 32,
              code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw DeskError.invalid(field: field, reason: Message("input.shopCode", ["raw": .text(String(raw.prefix(40)))]))
        }
        return code
    }

    /// Percent-decoding of one part of an address; nil when it is malformed or holds a control character.
    static func decode(_ part: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = part.utf8.startIndex
        let utf8 = part.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
                      let value = UInt8(String(decoding: [utf8[first], utf8[utf8.index(after: first)]], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                index = utf8.index(first, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return text
    }
}
