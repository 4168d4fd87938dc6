import DriverDeskCore
import Foundation
import PostgresNIO
import Synchronization

/// One shop of a chain (`--db postgres://…?shop=CODE`): the shop's use cases on the chain's PostgreSQL database.
///
/// Every transaction says which shop it works for (`driverdesk.shop`, transaction-local), so row-level security shows
/// it only that shop's rows and refuses any other's. A transaction that loses a race to another desk (a serialization
/// failure, a deadlock, or one of R1's exclusion constraints) runs again from the start, reading the facts afresh: the
/// core then refuses it with the rule's own reasons, as it would have had the two come one after the other.
public final class ChainShopStore: ShopStore {
    /// The connections: one for a command, several for the web server (each transaction takes a free one).
    public let databases: [ChainDatabase]
    public let shop: ChainShop
    private let free: Mutex<[Int]>
    private let available: DispatchSemaphore

    public convenience init(database: ChainDatabase, shop: ChainShop) {
        self.init(databases: [database], shop: shop)
    }

    public init(databases: [ChainDatabase], shop: ChainShop) {
        precondition(!databases.isEmpty)
        self.databases = databases
        self.shop = shop
        free = Mutex(Array(databases.indices))
        available = DispatchSemaphore(value: databases.count)
    }

    public var database: ChainDatabase { databases[0] }

    /// Transactions of this process that wrote, committed.
    public let changes = ChangeCounter()
    /// Change notices of this shop from any process (the web's caches); nil until `watchChanges` listens.
    private let listener = Mutex<(connection: ChainDatabase, notices: ChangeCounter)?>(nil)

    /// Listens for the change notices of this shop on a connection of its own, and returns the counts that move when
    /// this process or any other commits a change to it: this process's writes at once, the others' when their notice
    /// arrives (milliseconds after their commit). Nil when the listening connection cannot be made.
    public func watchChanges() -> [ChangeCounter]? {
        let shopId = shop.id
        let notices = listener.withLock { current -> ChangeCounter? in
            if let current { return current.notices }
            guard let connection = try? ChainDatabase.connect(database.address) else { return nil }
            let notices = ChangeCounter()
            do {
                try connection.onChange { shop in if shop == shopId { notices.bump() } }
            } catch {
                connection.close()
                return nil
            }
            current = (connection, notices)
            return notices
        }
        return notices.map { [changes, $0] }
    }

    public var shownName: String { database.address.shown }

    public func writing<T>(_ body: (any ShopTransaction) throws -> T) throws -> T {
        let result = try withConnection { database in
            try database.inShop(shop.id, readOnly: false) { try body(ChainTransaction(database: database, shopId: shop.id)) }
        }
        changes.bump()
        return result
    }

    public func reading<T>(_ body: (any ShopTransaction) throws -> T) throws -> T {
        try withConnection { database in
            try database.inShop(shop.id, readOnly: true) { try body(ChainTransaction(database: database, shopId: shop.id)) }
        }
    }

    /// Runs `body` on a connection no other transaction holds, waiting for one when all are busy.
    private func withConnection<T>(_ body: (ChainDatabase) throws -> T) throws -> T {
        available.wait()
        let index = free.withLock { $0.removeLast() }
        defer {
            free.withLock { $0.append(index) }
            available.signal()
        }
        return try body(databases[index])
    }

    public func close() {
        for database in databases { database.close() }
        listener.withLock { $0?.connection.close() }
    }
}

/// The errors after which a transaction is run again: it lost a race, and reading the facts afresh decides it.
struct ChainRetry: Error {
    var state: String
    var message: String

    /// serialization_failure, deadlock_detected, exclusion_violation, unique_violation.
    static let states: Set<String> = ["40001", "40P01", "23P01", "23505"]
}

extension ChainDatabase {
    /// Runs `body` in one transaction of shop `shopId`, again (up to 5 times) when it loses a race.
    ///
    /// A read runs without a transaction of its own, its statements each on their own snapshot as they would be in a
    /// READ COMMITTED transaction, with the shop set for the session (once per connection: a connection of a shop's
    /// store serves that shop only). A question such as "who drove" is then its own statements and nothing more: the
    /// BEGIN, the shop and the COMMIT were three of its eight round trips. A write sets the shop for its transaction.
    func inShop<T>(_ shopId: Int64, readOnly: Bool, _ body: () throws -> T) throws -> T {
        try lock.withLock {
            var attempt = 0
            while true {
                attempt += 1
                do {
                    if readOnly {
                        if sessionShop.withLock({ $0 }) != shopId {
                            try query("SELECT set_config('driverdesk.shop', $1, false)", [PostgresData(string: String(shopId))])
                            sessionShop.withLock { $0 = shopId }
                        }
                        return try body()
                    }
                    return try transaction(readOnly: readOnly) {
                        try query("SELECT set_config('driverdesk.shop', $1, true)", [PostgresData(string: String(shopId))])
                        return try body()
                    }
                } catch let retry as ChainRetry {
                    if attempt >= 5 { throw DeskError.storage(message: IDNumber.maskAll(in: retry.message)) }
                    usleep(UInt32(1_000 * attempt + Int.random(in: 0..<2_000)))
                }
            }
        }
    }
}

/// A shop's transaction on the chain's database. Column names are the chain schema's (`vehicle_id`); a staff
/// member's name, ID number and licence are his `person`'s, the chain's record of him.
struct ChainTransaction: ShopTransaction {
    let database: ChainDatabase
    let shopId: Int64

    typealias Row = PostgresRandomAccessRow

    private func rows(_ sql: String, _ binds: [PostgresData] = []) throws -> [Row] {
        try database.rawQuery(sql, binds, prepare: true).map { $0.makeRandomAccess() }
    }

    private func run(_ sql: String, _ binds: [PostgresData] = []) throws {
        _ = try database.rawQuery(sql, binds, prepare: true)
    }

    private func count(_ sql: String, _ binds: [PostgresData] = []) throws -> Int {
        Int(try rows(sql, binds).first.map { try $0[0].decode(Int64.self) } ?? 0)
    }

    // MARK: Binding and decoding

    private func bind(_ value: Int64?) -> PostgresData { value.map { PostgresData(int64: $0) } ?? PostgresData(type: .int8) }
    private func bind(_ value: Int?) -> PostgresData { bind(value.map(Int64.init)) }
    private func bind(_ value: String?) -> PostgresData { value.map { PostgresData(string: $0) } ?? PostgresData(type: .text) }
    private func bind(_ value: Date?) -> PostgresData { bind(value?.seconds) }
    private func bind(_ value: Bool) -> PostgresData { PostgresData(bool: value) }

    private static func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }

    private static func enumValue<T: RawRepresentable>(_ raw: String, _ type: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw DeskError.storage(message: "the chain's database holds an unknown \(T.self): \(raw)") }
        return value
    }

    private static func civil(_ text: String) throws -> CivilDate {
        do {
            return try CivilDate(parsing: text, field: "date")
        } catch {
            throw DeskError.storage(message: "the chain's database holds an unreadable date: \(text)")
        }
    }

    static let staffColumns = """
        s.id, p.name, p.id_number, p.license_class, p.license_first_issued::text AS first_issued, p.license_valid_until::text AS valid_until, \
        s.phone, s.active, s.created_at
        """
    static let staffFrom = "staff s JOIN person p ON p.id = s.person_id"

    private static func staff(_ row: Row) throws -> Staff {
        Staff(id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self), idNumber: try row["id_number"].decode(String.self),
              licenseClass: try enumValue(try row["license_class"].decode(String.self), LicenseClass.self),
              licenseFirstIssued: try civil(try row["first_issued"].decode(String.self)),
              licenseValidUntil: try civil(try row["valid_until"].decode(String.self)),
              phone: try row["phone"].decode(String?.self), active: try row["active"].decode(Bool.self),
              createdAt: date(try row["created_at"].decode(Int64.self))!)
    }

    static let vehicleColumns = "id, plate, owner_name, owner_phone, engine_last6, usage, size, created_at"

    private static func vehicle(_ row: Row) throws -> Vehicle {
        Vehicle(id: try row["id"].decode(Int64.self), plate: try row["plate"].decode(String.self), ownerName: try row["owner_name"].decode(String.self),
                ownerPhone: try row["owner_phone"].decode(String?.self), engineLast6: try row["engine_last6"].decode(String?.self),
                usage: try enumValue(try row["usage"].decode(String.self), VehicleUsage.self),
                size: try enumValue(try row["size"].decode(String.self), VehicleSize.self), createdAt: date(try row["created_at"].decode(Int64.self))!)
    }

    static let visitColumns = "id, vehicle_id, checkin_at, checkout_at, order_no"

    private static func visit(_ row: Row) throws -> Visit {
        Visit(id: try row["id"].decode(Int64.self), vehicleId: try row["vehicle_id"].decode(Int64.self), checkinAt: date(try row["checkin_at"].decode(Int64.self))!,
              checkoutAt: date(try row["checkout_at"].decode(Int64?.self)), orderNo: try row["order_no"].decode(String?.self))
    }

    static let movementColumns = "id, visit_id, vehicle_id, staff_id, start_at, end_at, purpose"

    private static func movement(_ row: Row) throws -> Movement {
        Movement(id: try row["id"].decode(Int64.self), visitId: try row["visit_id"].decode(Int64.self), vehicleId: try row["vehicle_id"].decode(Int64.self),
                 staffId: try row["staff_id"].decode(Int64.self), startAt: date(try row["start_at"].decode(Int64.self))!,
                 endAt: date(try row["end_at"].decode(Int64?.self)), purpose: try enumValue(try row["purpose"].decode(String.self), MovementPurpose.self))
    }

    static let registrationColumns = "id, ref, vehicle_id, staff_id, method, status, invited_at, activated_at, removal_due_at, removed_at, expired_at, cancelled_at"

    private static func registration(_ row: Row) throws -> Registration {
        Registration(id: try row["id"].decode(Int64.self), ref: try row["ref"].decode(String.self), vehicleId: try row["vehicle_id"].decode(Int64.self),
                     staffId: try row["staff_id"].decode(Int64.self), method: try enumValue(try row["method"].decode(String.self), RegistrationMethod.self),
                     status: try enumValue(try row["status"].decode(String.self), RegistrationStatus.self),
                     invitedAt: date(try row["invited_at"].decode(Int64.self))!, activatedAt: date(try row["activated_at"].decode(Int64?.self)),
                     removalDueAt: date(try row["removal_due_at"].decode(Int64?.self)), removedAt: date(try row["removed_at"].decode(Int64?.self)),
                     expiredAt: date(try row["expired_at"].decode(Int64?.self)), cancelledAt: date(try row["cancelled_at"].decode(Int64?.self)))
    }

    static let violationColumns = """
        id, vehicle_id, occurred_at, code, description_text, category, location, points, fine_fen, record_no, status, driver_id, attribution, \
        needs_review, reasons, movement_id, assigned_by, assign_reason, assigned_at, processed_at, processed_channel, paid_at, paid_fen, \
        late_fee_fen, pay_method, payer, recorded_at, handed_back_at, hand_back_reason
        """

    private static func violation(_ row: Row) throws -> Violation {
        var violation = Violation(
            id: try row["id"].decode(Int64.self), vehicleId: try row["vehicle_id"].decode(Int64.self), occurredAt: date(try row["occurred_at"].decode(Int64.self))!,
            code: try row["code"].decode(String.self), descriptionText: try row["description_text"].decode(String?.self),
            category: try row["category"].decode(String?.self), location: try row["location"].decode(String?.self),
            points: Int(try row["points"].decode(Int32.self)), fineFen: Int(try row["fine_fen"].decode(Int64.self)),
            recordNo: try row["record_no"].decode(String?.self), driverId: try row["driver_id"].decode(Int64?.self),
            attribution: try enumValue(try row["attribution"].decode(String.self), Attribution.Kind.self),
            needsReview: try row["needs_review"].decode(Bool.self), reasons: try row["reasons"].decode(String.self),
            movementId: try row["movement_id"].decode(Int64?.self), recordedAt: date(try row["recorded_at"].decode(Int64.self))!)
        violation.status = try enumValue(try row["status"].decode(String.self), ViolationStatus.self)
        violation.assignedBy = try row["assigned_by"].decode(String?.self)
        violation.assignReason = try row["assign_reason"].decode(String?.self)
        violation.assignedAt = date(try row["assigned_at"].decode(Int64?.self))
        violation.processedAt = date(try row["processed_at"].decode(Int64?.self))
        violation.processedChannel = try row["processed_channel"].decode(String?.self).map { try enumValue($0, Channel.self) }
        violation.paidAt = date(try row["paid_at"].decode(Int64?.self))
        violation.paidFen = try row["paid_fen"].decode(Int64?.self).map(Int.init)
        violation.lateFeeFen = try row["late_fee_fen"].decode(Int64?.self).map(Int.init)
        violation.payMethod = try row["pay_method"].decode(String?.self).map { try enumValue($0, PaymentMethod.self) }
        violation.payer = try row["payer"].decode(String?.self).map { try enumValue($0, Payer.self) }
        violation.handedBackAt = date(try row["handed_back_at"].decode(Int64?.self))
        violation.handBackReason = try row["hand_back_reason"].decode(String?.self)
        return violation
    }

    private static func audit(_ row: Row) throws -> AuditEntry {
        AuditEntry(id: try row["id"].decode(Int64.self), at: date(try row["at"].decode(Int64.self))!, operator: try row["operator"].decode(String.self),
                   action: try row["action"].decode(String.self), subject: try row["subject"].decode(String.self),
                   before: try row["before"].decode(String?.self), after: try row["after"].decode(String?.self))
    }

    // MARK: Settings

    func settings() throws -> [String: String] {
        Dictionary(try rows("SELECT key, value FROM setting").map { (try $0["key"].decode(String.self), try $0["value"].decode(String.self)) },
                   uniquingKeysWith: { $1 })
    }

    func setting(_ key: String) throws -> String? {
        try rows("SELECT value FROM setting WHERE key = $1", [bind(key)]).first.map { try $0["value"].decode(String.self) }
    }

    func putSetting(_ key: String, _ value: String) throws {
        try run("INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (shop_id, key) DO UPDATE SET value = excluded.value", [bind(key), bind(value)])
    }

    // MARK: Cars

    func vehicle(plate: String) throws -> Vehicle? {
        try rows("SELECT \(Self.vehicleColumns) FROM vehicle WHERE plate = $1", [bind(plate)]).first.map(Self.vehicle)
    }

    func vehicles(ids: Set<Int64>) throws -> [Int64: Vehicle] {
        guard !ids.isEmpty else { return [:] }
        let found = try rows("SELECT \(Self.vehicleColumns) FROM vehicle WHERE id = ANY($1)", [PostgresData(array: ids.map { PostgresData(int64: $0) }, elementType: .int8)])
        return Dictionary(try found.map(Self.vehicle).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func vehicles(plateContaining text: String?) throws -> [Vehicle] {
        guard let text else { return try rows("SELECT \(Self.vehicleColumns) FROM vehicle ORDER BY plate").map(Self.vehicle) }
        return try rows("SELECT \(Self.vehicleColumns) FROM vehicle WHERE strpos(plate, $1) > 0 ORDER BY plate", [bind(text)]).map(Self.vehicle)
    }

    func plates() throws -> [Int64: String] {
        var plates: [Int64: String] = [:]
        for row in try rows("SELECT id, plate FROM vehicle") { plates[try row["id"].decode(Int64.self)] = try row["plate"].decode(String.self) }
        return plates
    }

    func vehicleCount() throws -> Int { try count("SELECT count(*) FROM vehicle") }

    func insert(_ vehicle: inout Vehicle) throws {
        let row = try rows("""
            INSERT INTO vehicle (plate, owner_name, owner_phone, engine_last6, usage, size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
            """, [bind(vehicle.plate), bind(vehicle.ownerName), bind(vehicle.ownerPhone), bind(vehicle.engineLast6), bind(vehicle.usage.rawValue),
                  bind(vehicle.size.rawValue), bind(vehicle.createdAt)])
        vehicle.id = try row.first?["id"].decode(Int64.self)
    }

    func update(_ vehicle: Vehicle) throws {
        try run("UPDATE vehicle SET owner_name = $2, owner_phone = $3, engine_last6 = $4, usage = $5, size = $6 WHERE id = $1",
                [bind(vehicle.id), bind(vehicle.ownerName), bind(vehicle.ownerPhone), bind(vehicle.engineLast6), bind(vehicle.usage.rawValue),
                 bind(vehicle.size.rawValue)])
    }

    // MARK: Staff

    func staff(id: Int64) throws -> Staff? {
        try rows("SELECT \(Self.staffColumns) FROM \(Self.staffFrom) WHERE s.id = $1", [bind(id)]).first.map(Self.staff)
    }

    func staff(ids: Set<Int64>) throws -> [Int64: Staff] {
        guard !ids.isEmpty else { return [:] }
        let found = try rows("SELECT \(Self.staffColumns) FROM \(Self.staffFrom) WHERE s.id = ANY($1)",
                             [PostgresData(array: ids.map { PostgresData(int64: $0) }, elementType: .int8)])
        return Dictionary(try found.map(Self.staff).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func staff(named name: String) throws -> [Staff] {
        try rows("SELECT \(Self.staffColumns) FROM \(Self.staffFrom) WHERE p.name = $1 ORDER BY s.active DESC, s.id", [bind(name)]).map(Self.staff)
    }

    func staff(nameContaining text: String, limit: Int) throws -> [Staff] {
        try rows("SELECT \(Self.staffColumns) FROM \(Self.staffFrom) WHERE strpos(lower(p.name), lower($1)) > 0 ORDER BY s.id LIMIT $2",
                 [bind(text), bind(limit)]).map(Self.staff)
    }

    func staff(idNumber: String) throws -> Staff? {
        try rows("SELECT \(Self.staffColumns) FROM \(Self.staffFrom) WHERE p.id_number = $1", [bind(idNumber)]).first.map(Self.staff)
    }

    func allStaff() throws -> [Staff] {
        try rows("SELECT \(Self.staffColumns) FROM \(Self.staffFrom) ORDER BY s.active DESC, p.name COLLATE \"C\", s.id").map(Self.staff)
    }

    func activeStaffCount() throws -> Int { try count("SELECT count(*) FROM staff WHERE active") }

    func insert(_ staff: inout Staff) throws {
        let hired = try rows("SELECT hire_staff($1, $2, $3, $4::date, $5::date, $6, $7) AS id", [
            bind(staff.idNumber), bind(staff.name), bind(staff.licenseClass.rawValue), bind(staff.licenseFirstIssued.description),
            bind(staff.licenseValidUntil.description), bind(staff.phone), bind(staff.createdAt),
        ])
        guard let id = try hired.first?["id"].decode(Int64.self), let stored = try self.staff(id: id) else {
            throw DeskError.storage(message: "the chain's database did not hire \(staff.name)")
        }
        staff = stored
    }

    func update(_ staff: Staff) throws {
        try run("UPDATE staff SET phone = $2, active = $3 WHERE id = $1", [bind(staff.id), bind(staff.phone), bind(staff.active)])
        try run("""
            UPDATE person SET name = $2, license_class = $3, license_first_issued = $4::date, license_valid_until = $5::date
            WHERE id = (SELECT person_id FROM staff WHERE id = $1)
              AND (name, license_class, license_first_issued, license_valid_until) IS DISTINCT FROM ($2, $3, $4::date, $5::date)
            """, [bind(staff.id), bind(staff.name), bind(staff.licenseClass.rawValue), bind(staff.licenseFirstIssued.description),
                  bind(staff.licenseValidUntil.description)])
    }

    // MARK: Visits

    func visit(id: Int64) throws -> Visit? {
        try rows("SELECT \(Self.visitColumns) FROM visit WHERE id = $1", [bind(id)]).first.map(Self.visit)
    }

    func visits(vehicleId: Int64, notEndedBefore at: Date) throws -> [Visit] {
        try rows("SELECT \(Self.visitColumns) FROM visit WHERE vehicle_id = $1 AND (checkout_at IS NULL OR checkout_at >= $2) ORDER BY checkin_at",
                 [bind(vehicleId), bind(at)]).map(Self.visit)
    }

    func openVisit(vehicleId: Int64) throws -> Visit? {
        try rows("SELECT \(Self.visitColumns) FROM visit WHERE vehicle_id = $1 AND checkout_at IS NULL", [bind(vehicleId)]).first.map(Self.visit)
    }

    func visit(vehicleId: Int64, covering at: Date) throws -> Visit? {
        try rows("""
            SELECT \(Self.visitColumns) FROM visit WHERE vehicle_id = $1 AND checkin_at <= $2 AND (checkout_at IS NULL OR checkout_at >= $2)
            ORDER BY checkin_at DESC LIMIT 1
            """, [bind(vehicleId), bind(at)]).first.map(Self.visit)
    }

    func lastVisit(vehicleId: Int64, checkedInBy at: Date) throws -> Visit? {
        try rows("SELECT \(Self.visitColumns) FROM visit WHERE vehicle_id = $1 AND checkin_at <= $2 ORDER BY checkin_at DESC LIMIT 1",
                 [bind(vehicleId), bind(at)]).first.map(Self.visit)
    }

    func visits(vehicleId: Int64, limit: Int) throws -> [Visit] {
        try rows("SELECT \(Self.visitColumns) FROM visit WHERE vehicle_id = $1 ORDER BY checkin_at DESC LIMIT $2", [bind(vehicleId), bind(limit)]).map(Self.visit)
    }

    func openVisits() throws -> [OpenVisitFact] {
        try rows("""
            SELECT v.plate, v.owner_name, vi.id, vi.vehicle_id, vi.checkin_at, vi.checkout_at, vi.order_no
            FROM visit vi JOIN vehicle v ON v.id = vi.vehicle_id WHERE vi.checkout_at IS NULL ORDER BY vi.checkin_at
            """).map { OpenVisitFact(plate: try $0["plate"].decode(String.self), ownerName: try $0["owner_name"].decode(String.self), visit: try Self.visit($0)) }
    }

    func openVisits(checkedInBefore before: Date) throws -> [CleanupFacts.OpenVisit] {
        try rows("""
            SELECT v.plate, vi.checkin_at FROM visit vi JOIN vehicle v ON v.id = vi.vehicle_id
            WHERE vi.checkout_at IS NULL AND vi.checkin_at < $1 ORDER BY vi.checkin_at
            """, [bind(before)]).map {
                CleanupFacts.OpenVisit(plate: try $0["plate"].decode(String.self), checkinAt: Self.date(try $0["checkin_at"].decode(Int64.self))!)
            }
    }

    func insert(_ visit: inout Visit) throws {
        let row = try rows("INSERT INTO visit (vehicle_id, checkin_at, checkout_at, order_no) VALUES ($1, $2, $3, $4) RETURNING id",
                           [bind(visit.vehicleId), bind(visit.checkinAt), bind(visit.checkoutAt), bind(visit.orderNo)])
        visit.id = try row.first?["id"].decode(Int64.self)
    }

    func update(_ visit: Visit) throws {
        try run("UPDATE visit SET checkin_at = $2, checkout_at = $3, order_no = $4 WHERE id = $1",
                [bind(visit.id), bind(visit.checkinAt), bind(visit.checkoutAt), bind(visit.orderNo)])
    }

    // MARK: Movements

    func movements(_ query: MovementQuery) throws -> [MovementRow] {
        var clauses: [String] = []
        var binds: [PostgresData] = []
        func add(_ clause: String, _ value: PostgresData) {
            binds.append(value)
            clauses.append(clause.replacingOccurrences(of: "?", with: "$\(binds.count)"))
        }
        if let id = query.vehicleId { add("m.vehicle_id = ?", bind(id)) }
        if let id = query.staffId { add("m.staff_id = ?", bind(id)) }
        if let id = query.visitId { add("m.visit_id = ?", bind(id)) }
        if let at = query.startFrom { add("m.start_at >= ?", bind(at)) }
        if let at = query.startBefore { add("m.start_at < ?", bind(at)) }
        if let at = query.startUpTo { add("m.start_at <= ?", bind(at)) }
        if let at = query.notEndedBefore { add("(m.end_at IS NULL OR m.end_at >= ?)", bind(at)) }
        if query.inProgress { clauses.append("m.end_at IS NULL") }
        let order = query.newestFirst ? "m.start_at DESC, m.id DESC" : "m.start_at, m.id"
        let limit = query.limit.map { " LIMIT \($0)" } ?? ""
        return try rows("""
            SELECT m.id, m.visit_id, v.plate, m.staff_id, p.name, m.start_at, m.end_at, m.purpose
            FROM movement m JOIN vehicle v ON v.id = m.vehicle_id JOIN staff s ON s.id = m.staff_id JOIN person p ON p.id = s.person_id
            WHERE \(clauses.isEmpty ? "true" : clauses.joined(separator: " AND ")) ORDER BY \(order)\(limit)
            """, binds).map { row in
                let span = MovementSpan(
                    id: try row["id"].decode(Int64.self), plate: try row["plate"].decode(String.self),
                    staff: StaffRef(id: try row["staff_id"].decode(Int64.self), name: try row["name"].decode(String.self)),
                    start: Self.date(try row["start_at"].decode(Int64.self))!, end: Self.date(try row["end_at"].decode(Int64?.self)),
                    purpose: MovementPurpose(rawValue: try row["purpose"].decode(String.self)) ?? .other)
                return MovementRow(span: span, visitId: try row["visit_id"].decode(Int64.self))
            }
    }

    func custodyFacts(plate: String, at: Date, window: TimeInterval) throws -> CustodyFacts? {
        // One round trip: the car, the settings and the movements as JSON beside it, its last visit joined.
        let movement = """
            SELECT m.id, m.visit_id, m.staff_id, p.name, m.start_at, m.end_at, m.purpose
            FROM movement m JOIN car ON m.vehicle_id = car.id JOIN staff s ON s.id = m.staff_id JOIN person p ON p.id = s.person_id
            """
        guard let row = try rows("""
            WITH car AS (SELECT \(Self.vehicleColumns) FROM vehicle WHERE plate = $1),
            moves AS (
                \(movement) WHERE m.start_at >= $2 AND m.start_at <= $3
                UNION ALL
                (\(movement) WHERE m.start_at < $2 ORDER BY m.start_at DESC, m.id DESC LIMIT 1)
            )
            SELECT car.*,
                (SELECT coalesce(json_object_agg(key, value), '{}')::text FROM setting) AS settings,
                (SELECT coalesce(json_agg(json_build_array(id, visit_id, staff_id, name, start_at, end_at, purpose) ORDER BY start_at, id), '[]')::text
                 FROM moves) AS moves,
                lv.id AS last_visit_id, lv.checkin_at, lv.checkout_at, lv.order_no
            FROM car LEFT JOIN LATERAL (
                SELECT id, checkin_at, checkout_at, order_no FROM visit WHERE vehicle_id = car.id AND checkin_at <= $4 ORDER BY checkin_at DESC LIMIT 1
            ) lv ON true
            """, [bind(plate), bind(at.addingTimeInterval(-window)), bind(at.addingTimeInterval(window)), bind(at)]).first else { return nil }
        let vehicle = try Self.vehicle(row)
        func json(_ column: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(try row[column].decode(String.self).utf8))
        }
        guard let settings = try json("settings") as? [String: String], let moves = try json("moves") as? [[Any]] else {
            throw DeskError.storage(message: "the chain's database gave unreadable facts for \(plate)")
        }
        let movements = try moves.map { cells -> MovementRow in
            guard cells.count == 7, let id = (cells[0] as? NSNumber)?.int64Value, let visit = (cells[1] as? NSNumber)?.int64Value,
                  let staff = (cells[2] as? NSNumber)?.int64Value, let name = cells[3] as? String, let start = (cells[4] as? NSNumber)?.int64Value,
                  let purpose = cells[6] as? String else {
                throw DeskError.storage(message: "the chain's database gave an unreadable movement for \(plate)")
            }
            let span = MovementSpan(id: id, plate: vehicle.plate, staff: StaffRef(id: staff, name: name), start: Self.date(start)!,
                                    end: Self.date((cells[5] as? NSNumber)?.int64Value), purpose: MovementPurpose(rawValue: purpose) ?? .other)
            return MovementRow(span: span, visitId: visit)
        }
        let lastVisit = try row["last_visit_id"].decode(Int64?.self).map { id in
            Visit(id: id, vehicleId: vehicle.id!, checkinAt: Self.date(try row["checkin_at"].decode(Int64.self))!,
                  checkoutAt: Self.date(try row["checkout_at"].decode(Int64?.self)), orderNo: try row["order_no"].decode(String?.self))
        }
        return CustodyFacts(vehicle: vehicle, settings: settings, movements: movements, lastVisit: lastVisit)
    }

    func movementInProgress(vehicleId: Int64) throws -> Movement? {
        try rows("SELECT \(Self.movementColumns) FROM movement WHERE vehicle_id = $1 AND end_at IS NULL", [bind(vehicleId)]).first.map(Self.movement)
    }

    func movementInProgress(staffId: Int64) throws -> Movement? {
        try rows("SELECT \(Self.movementColumns) FROM movement WHERE staff_id = $1 AND end_at IS NULL", [bind(staffId)]).first.map(Self.movement)
    }

    func movementCount(startFrom: Date) throws -> Int { try count("SELECT count(*) FROM movement WHERE start_at >= $1", [bind(startFrom)]) }

    func lastMovementId() throws -> Int64 {
        try rows("SELECT coalesce(max(id), 0) FROM movement").first.map { try $0[0].decode(Int64.self) } ?? 0
    }

    func insert(_ movement: inout Movement) throws {
        let row = try rows("""
            INSERT INTO movement (visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose)
            VALUES ($1, $2, $3, (SELECT person_id FROM staff WHERE id = $3), $4, $5, $6) RETURNING id
            """, [bind(movement.visitId), bind(movement.vehicleId), bind(movement.staffId), bind(movement.startAt), bind(movement.endAt),
                  bind(movement.purpose.rawValue)])
        movement.id = try row.first?["id"].decode(Int64.self)
    }

    func update(_ movement: Movement) throws {
        try run("""
            UPDATE movement SET start_at = $2, end_at = $3, purpose = $4, visit_id = $5, staff_id = $6,
                person_id = (SELECT person_id FROM staff WHERE id = $6)
            WHERE id = $1
            """, [bind(movement.id), bind(movement.startAt), bind(movement.endAt), bind(movement.purpose.rawValue), bind(movement.visitId),
                  bind(movement.staffId)])
    }

    func movement(id: Int64) throws -> Movement? {
        try rows("SELECT \(Self.movementColumns) FROM movement WHERE id = $1", [bind(id)]).first.map(Self.movement)
    }

    func void(_ voided: VoidedMovement) throws {
        try run("""
            INSERT INTO movement_void (id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose, voided_at, voided_by, void_reason)
            SELECT id, visit_id, vehicle_id, staff_id, person_id, start_at, end_at, purpose, $2, $3, $4 FROM movement WHERE id = $1
            """, [bind(voided.id), bind(voided.voidedAt), bind(voided.voidedBy), bind(voided.voidReason)])
        try run("DELETE FROM movement WHERE id = $1", [bind(voided.id)])
    }

    func voidedMovements(vehicleId: Int64?, staffId: Int64?, limit: Int?) throws -> [VoidedMovement] {
        var clauses = ["true"]
        var binds: [PostgresData] = []
        if let vehicleId { binds.append(bind(vehicleId)); clauses.append("vehicle_id = $\(binds.count)") }
        if let staffId { binds.append(bind(staffId)); clauses.append("staff_id = $\(binds.count)") }
        return try rows("""
            SELECT id, visit_id, vehicle_id, staff_id, start_at, end_at, purpose, voided_at, voided_by, void_reason FROM movement_void
            WHERE \(clauses.joined(separator: " AND ")) ORDER BY start_at DESC, id DESC\(limit.map { " LIMIT \($0)" } ?? "")
            """, binds).map { row in
            var voided = VoidedMovement(try Self.movement(row), at: Self.date(try row["voided_at"].decode(Int64.self))!,
                                        by: try row["voided_by"].decode(String.self), reason: try row["void_reason"].decode(String.self))
            voided.id = try row["id"].decode(Int64.self)
            return voided
        }
    }

    func movementsElsewhere(driver: Staff, start: Date, end: Date?) throws -> [MovementSpan] {
        // An end before the start is no span at all (the core refuses it on its own).
        guard end.map({ $0 > start }) ?? true else { return [] }
        return try rows("SELECT id, shop_code, start_at, end_at, purpose FROM driver_movements_elsewhere($1, $2, $3)",
                 [bind(driver.id), bind(start), bind(end)]).map { row in
            // Another shop's car is named by that shop's code, never by its customer's plate.
            MovementSpan(id: try row["id"].decode(Int64.self), plate: "[\(try row["shop_code"].decode(String.self))]", staff: driver.ref,
                         start: Self.date(try row["start_at"].decode(Int64.self))!, end: Self.date(try row["end_at"].decode(Int64?.self)),
                         purpose: MovementPurpose(rawValue: try row["purpose"].decode(String.self)) ?? .other)
        }
    }

    // MARK: Registrations

    func lockDriver(_ driver: Staff) throws {
        try run("SELECT 1 FROM person WHERE id = (SELECT person_id FROM staff WHERE id = $1) FOR UPDATE", [bind(driver.id)])
    }

    func registrations(_ query: RegistrationQuery) throws -> [Registration] {
        var clauses: [String] = []
        var binds: [PostgresData] = []
        func add(_ clause: String, _ values: PostgresData...) {
            var text = clause
            for value in values {
                binds.append(value)
                if let range = text.range(of: "?") { text.replaceSubrange(range, with: "$\(binds.count)") }
            }
            clauses.append(text)
        }
        if let ref = query.ref { add("ref = ?", bind(ref)) }
        if let status = query.status { add("status = ?", bind(status.rawValue)) }
        if let id = query.vehicleId { add("vehicle_id = ?", bind(id)) }
        if let id = query.staffId { add("staff_id = ?", bind(id)) }
        if query.liveOnly { clauses.append("status IN ('invited', 'active', 'removalDue')") }
        if let range = query.liveOrActivatedIn {
            add("(status IN ('invited', 'active', 'removalDue') OR (activated_at >= ? AND activated_at < ?))", bind(range.lowerBound), bind(range.upperBound))
        }
        return try rows("""
            SELECT \(Self.registrationColumns) FROM registration WHERE \(clauses.isEmpty ? "true" : clauses.joined(separator: " AND "))
            ORDER BY invited_at DESC, id DESC
            """, binds).map(Self.registration)
    }

    func registrationFacts(driver: Staff, activatedIn range: Range<Date>) throws -> [RegistrationFact] {
        try rows("SELECT ref, plate, shop_code, status, invited_at, activated_at FROM driver_registrations($1, $2, $3)",
                 [bind(driver.id), bind(range.lowerBound), bind(range.upperBound)]).map { row in
            // Another shop's car is named by that shop's code, never by its customer's plate.
            let plate = try row["plate"].decode(String?.self) ?? "[\(try row["shop_code"].decode(String.self))]"
            return RegistrationFact(ref: try row["ref"].decode(String.self), plate: plate, staffName: driver.name,
                                    status: try Self.enumValue(try row["status"].decode(String.self), RegistrationStatus.self),
                                    invitedAt: Self.date(try row["invited_at"].decode(Int64.self))!,
                                    activatedAt: Self.date(try row["activated_at"].decode(Int64?.self)))
        }
    }

    func registration(vehicleId: Int64, staffId: Int64) throws -> Registration? {
        try rows("""
            SELECT \(Self.registrationColumns) FROM registration WHERE vehicle_id = $1 AND staff_id = $2
            ORDER BY status IN ('invited', 'active', 'removalDue') DESC, invited_at DESC LIMIT 1
            """, [bind(vehicleId), bind(staffId)]).first.map(Self.registration)
    }

    func insert(_ registration: inout Registration) throws {
        let row = try rows("""
            INSERT INTO registration (ref, vehicle_id, staff_id, person_id, method, status, invited_at, activated_at, removal_due_at, removed_at,
                                      expired_at, cancelled_at)
            VALUES ($1, $2, $3, (SELECT person_id FROM staff WHERE id = $3), $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """, [bind(registration.ref), bind(registration.vehicleId), bind(registration.staffId), bind(registration.method.rawValue),
                  bind(registration.status.rawValue), bind(registration.invitedAt), bind(registration.activatedAt), bind(registration.removalDueAt),
                  bind(registration.removedAt), bind(registration.expiredAt), bind(registration.cancelledAt)])
        registration.id = try row.first?["id"].decode(Int64.self)
    }

    func update(_ registration: Registration) throws {
        try run("""
            UPDATE registration SET status = $2, activated_at = $3, removal_due_at = $4, removed_at = $5, expired_at = $6, cancelled_at = $7
            WHERE id = $1
            """, [bind(registration.id), bind(registration.status.rawValue), bind(registration.activatedAt), bind(registration.removalDueAt),
                  bind(registration.removedAt), bind(registration.expiredAt), bind(registration.cancelledAt)])
    }

    func cleanupRegistrations() throws -> [CleanupFacts.Registration] {
        try rows("""
            SELECT r.ref, v.plate, p.name, r.status, r.invited_at, r.removal_due_at,
                   (SELECT max(checkout_at) FROM visit WHERE vehicle_id = r.vehicle_id) AS left_at,
                   EXISTS (SELECT 1 FROM visit WHERE vehicle_id = r.vehicle_id AND checkout_at IS NULL) AS in_shop,
                   EXISTS (SELECT 1 FROM violation WHERE vehicle_id = r.vehicle_id AND driver_id = r.staff_id AND status IN ('open', 'processed')) AS unpaid
            FROM registration r JOIN vehicle v ON v.id = r.vehicle_id JOIN staff s ON s.id = r.staff_id JOIN person p ON p.id = s.person_id
            WHERE r.status IN ('invited', 'active', 'removalDue')
            ORDER BY r.invited_at, r.id
            """).map { row in
                CleanupFacts.Registration(
                    ref: try row["ref"].decode(String.self), plate: try row["plate"].decode(String.self), staff: try row["name"].decode(String.self),
                    status: try Self.enumValue(try row["status"].decode(String.self), RegistrationStatus.self),
                    invitedAt: Self.date(try row["invited_at"].decode(Int64.self))!, removalDueAt: Self.date(try row["removal_due_at"].decode(Int64?.self)),
                    leftCustodyAt: Self.date(try row["left_at"].decode(Int64?.self)), inShop: try row["in_shop"].decode(Bool.self),
                    hasUnpaidViolation: try row["unpaid"].decode(Bool.self))
            }
    }

    // MARK: Violations

    func violation(id: Int64) throws -> Violation? {
        try rows("SELECT \(Self.violationColumns) FROM violation WHERE id = $1", [bind(id)]).first.map(Self.violation)
    }

    func violations(status: ViolationStatus?, limit: Int?) throws -> [Violation] {
        let condition = status == nil ? "true" : "status = $1"
        let binds = status.map { [bind($0.rawValue)] } ?? []
        return try rows("SELECT \(Self.violationColumns) FROM violation WHERE \(condition) ORDER BY occurred_at DESC, id DESC\(limit.map { " LIMIT \($0)" } ?? "")",
                        binds).map(Self.violation)
    }

    func actionableViolations(limit: Int) throws -> (rows: [Violation], total: Int) {
        let condition = "status = 'processed' OR (status = 'open' AND attribution <> 'outsideCustody')"
        let total = try count("SELECT count(*) FROM violation WHERE \(condition)")
        let found = try rows("SELECT \(Self.violationColumns) FROM violation WHERE \(condition) ORDER BY occurred_at DESC, id DESC LIMIT $1", [bind(limit)])
        return (try found.map(Self.violation), total)
    }

    func violationId(recordNo: String) throws -> Int64? {
        try rows("SELECT id FROM violation WHERE record_no = $1", [bind(recordNo)]).first.map { try $0["id"].decode(Int64.self) }
    }

    func violationId(vehicleId: Int64, occurredAt: Date, code: String) throws -> Int64? {
        try rows("SELECT id FROM violation WHERE vehicle_id = $1 AND occurred_at = $2 AND code = $3", [bind(vehicleId), bind(occurredAt), bind(code)])
            .first.map { try $0["id"].decode(Int64.self) }
    }

    func points(driver: Staff, processedIn range: Range<Date>, excluding id: Int64?) throws -> Int {
        try count("SELECT driver_points($1, $2, $3, $4)", [bind(driver.id), bind(range.lowerBound), bind(range.upperBound), bind(id)])
    }

    func pointPlates(driverId: Int64, processedSince since: Date) throws -> Set<String> {
        Set(try rows("""
            SELECT DISTINCT v.plate FROM violation x JOIN vehicle v ON v.id = x.vehicle_id
            WHERE x.driver_id = $1 AND x.processed_at >= $2 AND x.points > 0
            """, [bind(driverId), bind(since)]).map { try $0["plate"].decode(String.self) })
    }

    func pointDrivers(vehicleId: Int64, processedSince since: Date) throws -> Set<String> {
        Set(try rows("""
            SELECT DISTINCT p.name FROM violation x JOIN staff s ON s.id = x.driver_id JOIN person p ON p.id = s.person_id
            WHERE x.vehicle_id = $1 AND x.processed_at >= $2 AND x.points > 0
            """, [bind(vehicleId), bind(since)]).map { try $0["name"].decode(String.self) })
    }

    func unpaidCount(vehicleId: Int64, driverId: Int64, excluding id: Int64) throws -> Int {
        try count("SELECT count(*) FROM violation WHERE vehicle_id = $1 AND driver_id = $2 AND status IN ('open', 'processed') AND id <> $3",
                  [bind(vehicleId), bind(driverId), bind(id)])
    }

    func unpaidFines(processedBy: Date) throws -> [CleanupFacts.UnpaidFine] {
        try rows("""
            SELECT x.id, v.plate, p.name, x.fine_fen, x.processed_at FROM violation x
            JOIN vehicle v ON v.id = x.vehicle_id LEFT JOIN staff s ON s.id = x.driver_id LEFT JOIN person p ON p.id = s.person_id
            WHERE x.status = 'processed' AND x.processed_at <= $1 ORDER BY x.processed_at, x.id
            """, [bind(processedBy)]).map {
                CleanupFacts.UnpaidFine(violationId: try $0["id"].decode(Int64.self), plate: try $0["plate"].decode(String.self),
                                        staff: try $0["name"].decode(String?.self), fineFen: Int(try $0["fine_fen"].decode(Int64.self)),
                                        processedAt: Self.date(try $0["processed_at"].decode(Int64.self))!)
            }
    }

    func insert(_ violation: inout Violation) throws {
        let row = try rows("""
            INSERT INTO violation (vehicle_id, occurred_at, code, description_text, category, location, points, fine_fen, record_no, status,
                                   driver_id, driver_person_id, attribution, needs_review, reasons, movement_id, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (SELECT person_id FROM staff WHERE id = $11), $12, $13, $14, $15, $16) RETURNING id
            """, [bind(violation.vehicleId), bind(violation.occurredAt), bind(violation.code), bind(violation.descriptionText), bind(violation.category),
                  bind(violation.location), PostgresData(int32: Int32(violation.points)), bind(violation.fineFen), bind(violation.recordNo),
                  bind(violation.status.rawValue), bind(violation.driverId), bind(violation.attribution.rawValue), bind(violation.needsReview),
                  bind(violation.reasons), bind(violation.movementId), bind(violation.recordedAt)])
        violation.id = try row.first?["id"].decode(Int64.self)
    }

    func violations(vehicleId: Int64, occurredFrom from: Date, to: Date) throws -> [Violation] {
        try rows("SELECT \(Self.violationColumns) FROM violation WHERE vehicle_id = $1 AND occurred_at >= $2 AND occurred_at <= $3 ORDER BY occurred_at, id",
                 [bind(vehicleId), bind(from), bind(to)]).map(Self.violation)
    }

    func update(_ violation: Violation) throws {
        try run("""
            UPDATE violation SET status = $2, driver_id = $3, driver_person_id = (SELECT person_id FROM staff WHERE id = $3), attribution = $4,
                needs_review = $5, reasons = $6, assigned_by = $7, assign_reason = $8, assigned_at = $9, processed_at = $10, processed_channel = $11,
                paid_at = $12, paid_fen = $13, late_fee_fen = $14, pay_method = $15, payer = $16, movement_id = $17, handed_back_at = $18,
                hand_back_reason = $19
            WHERE id = $1
            """, [bind(violation.id), bind(violation.status.rawValue), bind(violation.driverId), bind(violation.attribution.rawValue),
                  bind(violation.needsReview), bind(violation.reasons), bind(violation.assignedBy), bind(violation.assignReason),
                  bind(violation.assignedAt), bind(violation.processedAt), bind(violation.processedChannel?.rawValue), bind(violation.paidAt),
                  bind(violation.paidFen), bind(violation.lateFeeFen), bind(violation.payMethod?.rawValue), bind(violation.payer?.rawValue),
                  bind(violation.movementId), bind(violation.handedBackAt), bind(violation.handBackReason)])
    }

    // MARK: Imports

    func importAttribution(vehicleIds: [Int64], instants: [Date], plates: [Int64: String], config: Config) throws -> ((Int64, Date, Bool) -> Attribution)? {
        // The shop's movements and visits in one query each (row-level security keeps them to this shop), decided by
        // the same pass as on a file.
        var batch = ImportAttribution(vehicleIds: vehicleIds, instants: instants, plates: plates, config: config)
        batch.beginMovements(staff: try rows("SELECT s.id, p.name FROM \(Self.staffFrom)").map { (try $0["id"].decode(Int64.self), try $0["name"].decode(String.self)) })
        for row in try database.rawQuery("SELECT vehicle_id, start_at, id, staff_id, end_at, purpose FROM movement") {
            var cells = row.makeIterator()
            guard let vehicle = cells.next(), let start = cells.next(),
                  let wanted = batch.wants(vehicleId: try vehicle.decode(Int64.self), start: try start.decode(Int64.self)) else { continue }
            let (_, _, id, staff, end, purpose) = try row.decode((Int64, Int64, Int64, Int64, Int64?, String).self)
            batch.consider(wanted, id: id, staffId: staff, end: end, purpose: purpose)
        }
        batch.endMovements()
        for row in try database.rawQuery("SELECT vehicle_id, checkin_at, id, checkout_at FROM visit") {
            let (vehicle, checkin, id, checkout) = try row.decode((Int64, Int64, Int64, Int64?).self)
            batch.consider(visitOf: vehicle, checkin: checkin, id: id, checkout: checkout)
        }
        batch.endVisits()
        return { vehicleId, at, isParking in batch.attribution(vehicleId: vehicleId, at: at, isParking: isParking) }
    }

    func withImportStage<T>(_ body: (inout any ImportStage) throws -> T) throws -> T {
        var stage: any ImportStage = ChainImportStage(transaction: self)
        return try body(&stage)
    }

    // MARK: Accounts

    static let accountColumns = "id, name, role, staff_id, password_hash, active, epoch, created_at"

    private static func account(_ row: Row) throws -> Account {
        Account(id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self), role: try enumValue(try row["role"].decode(String.self), Role.self),
                staffId: try row["staff_id"].decode(Int64?.self), passwordHash: try row["password_hash"].decode(String.self),
                active: try row["active"].decode(Bool.self), epoch: Int(try row["epoch"].decode(Int32.self)), createdAt: date(try row["created_at"].decode(Int64.self))!)
    }

    func accounts() throws -> [Account] {
        try rows("SELECT \(Self.accountColumns) FROM account WHERE shop_id = current_shop() ORDER BY lower(name), id").map(Self.account)
    }

    func account(named name: String) throws -> Account? {
        try rows("SELECT \(Self.accountColumns) FROM account WHERE shop_id = current_shop() AND lower(name) = lower($1)", [bind(name)]).first.map(Self.account)
    }

    func account(id: Int64) throws -> Account? {
        try rows("SELECT \(Self.accountColumns) FROM account WHERE shop_id = current_shop() AND id = $1", [bind(id)]).first.map(Self.account)
    }

    func insert(_ account: inout Account) throws {
        let inserted = try rows("""
            INSERT INTO account (name, role, staff_id, password_hash, active, epoch, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
            """, [bind(account.name), bind(account.role.rawValue), bind(account.staffId), bind(account.passwordHash), bind(account.active),
                  bind(account.epoch), bind(account.createdAt)])
        account.id = try inserted.first?["id"].decode(Int64.self)
    }

    func update(_ account: Account) throws {
        try run("UPDATE account SET password_hash = $2, active = $3, epoch = $4, staff_id = $5 WHERE id = $1",
                [bind(account.id), bind(account.passwordHash), bind(account.active), bind(account.epoch), bind(account.staffId)])
    }

    // MARK: Audit

    func append(_ entry: AuditEntry) throws {
        try run("INSERT INTO audit (at, operator, action, subject, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
                [bind(entry.at), bind(entry.operator), bind(entry.action), bind(entry.subject), bind(entry.before), bind(entry.after)])
    }

    func auditEntries(_ query: AuditQuery) throws -> [AuditEntry] {
        var conditions: [String] = [], binds: [PostgresData] = []
        func bound(_ value: PostgresData) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let since = query.since { conditions.append("at >= \(bound(bind(since)))") }
        if let before = query.before { conditions.append("at < \(bound(bind(before)))") }
        if let person = query.person {
            let name = bound(bind(person.lowercased()))
            conditions.append("(lower(operator) = \(name) OR left(lower(operator), length(\(name)) + 2) = (\(name) || ' ('))")
        }
        if let action = query.action {
            let name = bound(bind(action))
            conditions.append("(action = \(name) OR left(action, length(\(name)) + 1) = (\(name) || '.'))")
        }
        let filter = conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
        let columns = "id, at, operator, action, subject, before, after"
        guard let limit = query.limit else {
            return try rows("SELECT \(columns) FROM audit WHERE \(filter) ORDER BY id", binds).map(Self.audit)
        }
        return try rows("SELECT \(columns) FROM audit WHERE \(filter) ORDER BY id DESC LIMIT \(max(0, limit))", binds).map(Self.audit).reversed()
    }

    func isEmpty() throws -> Bool {
        try rows("SELECT NOT (EXISTS (SELECT 1 FROM staff) OR EXISTS (SELECT 1 FROM vehicle) OR EXISTS (SELECT 1 FROM audit WHERE action <> 'shop.add')) AS empty")
            .first.map { try $0["empty"].decode(Bool.self) } ?? true
    }
}

/// An import's rows on a chain: written in PostgreSQL's COPY text format as they come, then streamed with `COPY` into
/// a staging table of this session (`begin_violation_import`) and moved into `violation` with one statement, in file
/// order; copies already recorded (same record number, or plate, time and code, also earlier in the same file) are
/// skipped, as SQLite's `INSERT OR IGNORE` does. Which rows are copies is decided before the move (the recorded ones
/// that match a staged row are read in one query), so a skipped row takes no number from the sequence. The move is a
/// plain INSERT (`ON CONFLICT DO NOTHING` would probe every unique index before each row): a copy that another desk
/// records during the import makes it fail with a unique violation, and the import runs again from the start
/// (`ChainDatabase.inShop`), then skipping that copy as recorded.
struct ChainImportStage: ImportStage {
    let transaction: ChainTransaction
    /// The rows not yet sent; sent with `COPY` each time they reach `chunk` bytes, so that a big file's rows are never
    /// all held in memory at once.
    private var data = Data()
    /// Whether the staging table of this transaction is made.
    private var staging = false
    /// The rows sent last, while the server takes them (one `COPY` at a time on the connection).
    private var pending: PendingCopy?
    static let chunk = 4 << 20
    private var lines = 0
    /// Per staged row: its record number and its plate, time and code, to tell the copies.
    private var keys: [(recordNo: String?, identity: Identity)] = []

    struct Identity: Hashable {
        var vehicleId: Int64
        var occurredAt: Int64
        var code: String
    }

    init(transaction: ChainTransaction) {
        self.transaction = transaction
        data.reserveCapacity(ChainImportStage.chunk + (64 << 10))
    }

    /// Sends the rows held so far to the staging table (made first, on the first call), once the server has taken
    /// those sent before; it takes them while the caller makes the next ones.
    private mutating func send() throws {
        if !staging {
            _ = try transaction.database.rawQuery("SELECT begin_violation_import()")
            staging = true
        }
        try pending?.finish()
        pending = nil
        guard !data.isEmpty else { return }
        pending = transaction.database.startCopy(into: "violation_import", columns: ChainImportStage.columns, data: data)
        data = Data()
        data.reserveCapacity(ChainImportStage.chunk + (64 << 10))
    }

    static let columns = ["line", "vehicle_id", "occurred_at", "code", "description_text", "category", "location", "points", "fine_fen", "record_no", "status",
                          "driver_id", "attribution", "needs_review", "reasons", "movement_id", "recorded_at"]

    /// A field in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped.
    private static func field(_ value: String?) -> String {
        guard let value else { return "\\N" }
        guard value.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\t": escaped += "\\t"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\r\n": escaped += "\\r\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    mutating func append(_ new: NewViolation, vehicleId: Int64, attribution: Attribution, recordedAt: Int64) throws {
        lines += 1
        let fields: [String?] = [
            String(lines), String(vehicleId), String(new.occurredAt.seconds), new.code, new.description, new.category, new.location, String(new.points),
            String(new.fineFen), new.recordNo, ViolationStatus.open.rawValue, attribution.driver.map { String($0.id) }, attribution.kind.rawValue,
            attribution.needsReview ? "t" : "f", Message.encodeList(attribution.reasons), attribution.movementId.map(String.init), String(recordedAt),
        ]
        data.append(contentsOf: (fields.map(ChainImportStage.field).joined(separator: "\t") + "\n").utf8)
        keys.append((new.recordNo, Identity(vehicleId: vehicleId, occurredAt: new.occurredAt.seconds, code: new.code)))
        if data.count >= ChainImportStage.chunk { try send() }
    }

    /// The staged lines (from 1) that go in: in file order, each unless a recorded violation (`recorded`: the lines that
    /// match one) or a line before it that goes in has its record number or its plate, time and code.
    func linesToMove(recorded: Set<Int>) -> [Int32] {
        var numbers = Set<String>(), identities = Set<Identity>()
        var moving: [Int32] = []
        for (index, key) in keys.enumerated() where !recorded.contains(index + 1) {
            if let number = key.recordNo, numbers.contains(number) { continue }
            if identities.contains(key.identity) { continue }
            if let number = key.recordNo { numbers.insert(number) }
            identities.insert(key.identity)
            moving.append(Int32(index + 1))
        }
        return moving
    }

    mutating func move(rowByRow: Bool) throws -> ImportOutcome {
        var outcome = ImportOutcome(added: 0, skipped: lines, needsReview: 0, byAttribution: [:])
        guard lines > 0 else { return outcome }
        try send()
        try pending?.finish()
        pending = nil
        let recorded = Set(try transaction.database.rawQuery("""
            SELECT DISTINCT t.line FROM violation_import t JOIN violation v
              ON v.record_no = t.record_no OR (v.vehicle_id = t.vehicle_id AND v.occurred_at = t.occurred_at AND v.code = t.code)
            """).map { Int(try $0.decode(Int32.self)) })
        let moving = linesToMove(recorded: recorded)
        guard !moving.isEmpty else { return outcome }
        // The lines left out (usually none): a filter on a short list, not on the lines that go in. The rows moved are
        // counted by the server, one row per kind of attribution, instead of coming back one by one.
        var left: [Int32] = []
        var next = moving.makeIterator()
        var nextMoving = next.next()
        for line in Int32(1)...Int32(lines) {
            if line == nextMoving { nextMoving = next.next() } else { left.append(line) }
        }
        let moved = try transaction.database.rawQuery("""
            WITH moved AS (
                INSERT INTO violation (vehicle_id, occurred_at, code, description_text, category, location, points, fine_fen, record_no, status,
                                       driver_id, driver_person_id, attribution, needs_review, reasons, movement_id, recorded_at)
                SELECT t.vehicle_id, t.occurred_at, t.code, t.description_text, t.category, t.location, t.points, t.fine_fen, t.record_no, t.status,
                       t.driver_id, s.person_id, t.attribution, t.needs_review, t.reasons, t.movement_id, t.recorded_at
                FROM violation_import t LEFT JOIN staff s ON s.id = t.driver_id
                WHERE NOT (t.line = ANY($1))
                ORDER BY t.line
                RETURNING id, attribution, needs_review
            )
            SELECT attribution, count(*), count(*) FILTER (WHERE needs_review), min(id), max(id) FROM moved GROUP BY attribution
            """, [PostgresData(array: left.map { PostgresData(int32: $0) }, elementType: .int4)])
        for row in moved {
            let (kind, count, review, first, last) = try row.decode((String, Int64, Int64, Int64, Int64).self)
            outcome.added += Int(count)
            outcome.needsReview += Int(review)
            outcome.firstId = min(outcome.firstId ?? first, first)
            outcome.lastId = max(outcome.lastId ?? last, last)
            outcome.byAttribution[kind, default: 0] += Int(count)
        }
        outcome.skipped = lines - outcome.added
        return outcome
    }
}
