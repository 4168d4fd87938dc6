import DriverDeskCore
import Testing

@Suite("--db: a SQLite file or a PostgreSQL address with its shop")
struct DatabaseAddressTests {
    func postgres(_ raw: String, environment: [String: String] = [:]) throws -> DatabaseAddress.Postgres {
        guard case .postgres(let address) = try DatabaseAddress(parsing: raw, environment: environment) else {
            Issue.record("\(raw) is not read as PostgreSQL")
            throw DeskError.storage(message: raw)
        }
        return address
    }

    func reason(_ raw: String) -> Message? {
        do {
            _ = try DatabaseAddress(parsing: raw)
            return nil
        } catch let DeskError.invalid(field, reason, _) {
            #expect(field == "db")
            return reason
        } catch {
            return nil
        }
    }

    @Test("anything that is not a postgres:// address is a SQLite file, as before")
    func files() throws {
        #expect(try DatabaseAddress(parsing: "/var/lib/driverdesk/shop.sqlite") == .sqlite(path: "/var/lib/driverdesk/shop.sqlite"))
        #expect(try DatabaseAddress(parsing: " shop.sqlite ") == .sqlite(path: "shop.sqlite"))
        #expect(try DatabaseAddress(parsing: "postgres.sqlite") == .sqlite(path: "postgres.sqlite"))
        #expect(reason("  ")?.code == "input.db.required")
        // A mistyped address is refused, not made into a file whose name holds the password.
        for typo in ["postgres:/desk:pw@db/chain?shop=BJ01", "postgresql:desk:pw@db/chain?shop=BJ01", "POSTGRES:desk@/chain"] {
            #expect(reason(typo)?.code == "input.db.address", "\(typo)")
        }
    }

    @Test("host, port, user, password, database and shop; the password from $PGPASSWORD when the address has none")
    func network() throws {
        let address = try postgres("postgres://desk:s%40cret@db.example.com:6543/chain?shop=BJ01")
        #expect(address == .init(user: "desk", password: "s@cret", host: "db.example.com", port: 6543, database: "chain", shop: .code("BJ01")))
        #expect(address.shown == "postgres://desk@db.example.com:6543/chain?shop=BJ01")
        #expect(!address.isSocket)
        let defaults = try postgres("postgresql://desk@10.0.0.5/chain?shop=sh-pudong", environment: ["PGPASSWORD": "fromenv"])
        #expect(defaults.port == 5432 && defaults.password == "fromenv" && defaults.host == "10.0.0.5" && defaults.shop == .code("sh-pudong"))
        #expect(try postgres("postgres://desk:given@h/d?shop=A", environment: ["PGPASSWORD": "fromenv"]).password == "given")
        #expect(try postgres("postgres://desk@[::1]:5433/d?shop=A").host == "::1")
    }

    @Test("libpq's unix-socket form, and the chain-wide view")
    func socket() throws {
        let address = try postgres("postgres://driverdesk@/driverdesk?host=/run/postgresql&shop=BJ01")
        #expect(address == .init(user: "driverdesk", password: nil, host: "/run/postgresql", port: 5432, database: "driverdesk", shop: .code("BJ01")))
        #expect(address.isSocket)
        #expect(address.shown == "postgres://driverdesk@/driverdesk?host=/run/postgresql&shop=BJ01")
        #expect(try postgres("postgres://manager@/driverdesk?shop=*&host=%2Frun%2Fpostgresql").shop == .chain)
        // A server on another port: its socket is named by the port, as libpq's ?port=N says.
        let other = try postgres("postgres://driverdesk@/driverdesk?host=/tmp/pg&port=6544&shop=BJ01")
        #expect(other.port == 6544 && other.isSocket && other.shown == "postgres://driverdesk@/driverdesk?host=/tmp/pg&port=6544&shop=BJ01")
    }

    @Test("a malformed address names the part that is wrong; an address without its shop says how to name it")
    func malformed() {
        let cases: [(String, String)] = [
            ("postgres://desk@host/db", ""), ("postgres://host/db?shop=A", "user"), ("postgres://desk@host?shop=A", "database"),
            ("postgres://desk@host/?shop=A", "database"), ("postgres://desk@host:99999/db?shop=A", "port"), ("postgres://desk@host:x/db?shop=A", "port"),
            ("postgres://desk@/db?shop=A", "host"), ("postgres://desk@/db?host=relative&shop=A", "host"), ("postgres://desk@h/db?host=/x&shop=A", "host"),
            ("postgres://desk@h/db?shop=A&shop=B", "query"), ("postgres://desk@h/db?shop=A&sslmode=disable", "query"), ("postgres://desk@h/db?shop=A&x", "query"),
            ("postgres://desk@/db?host=/x&port=0&shop=A", "port"), ("postgres://desk@h/db?port=5433&shop=A", "host"),
            ("postgres://de%ZZsk@h/db?shop=A", "user"), ("postgres://desk@h/d%0Ab?shop=A", "database"), ("postgres://desk@h w/db?shop=A", "host"),
        ]
        for (raw, part) in cases {
            let found = reason(raw)
            if part.isEmpty {
                #expect(found?.code == "input.db.noShop", "\(raw): \(String(describing: found))")
            } else {
                #expect(found?.code == "input.db.address" && found?.arguments["part"] == .term("addressPart", part), "\(raw): \(String(describing: found))")
            }
        }
        #expect(reason("postgres://desk@h/db?shop=")?.code == "input.shopCode")
        #expect(reason("postgres://desk@h/db?shop=-A")?.code == "input.shopCode")
        #expect(reason("postgres://desk@h/db?shop=\(String(repeating: "A", count: 33))")?.code == "input.shopCode")
        #expect(reason("postgres://desk@h/db?shop=北京")?.code == "input.shopCode")
    }
}
