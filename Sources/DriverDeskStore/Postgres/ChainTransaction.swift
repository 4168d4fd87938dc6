import DriverDeskCore
import Foundation
import PostgresNIO

/// A shop's transaction on the chain's database. Column names are the chain schema's (`vehicle_id`); a staff
/// member's name, ID number and licence are his `person`'s, the chain's record of him.
struct ChainTransaction: ShopTransaction {
    let database: ChainDatabase
    let shopId: Int64

    typealias Row = PostgresRandomAccessRow

    func rows(_ sql: String, _ binds: [PostgresData] = []) throws -> [Row] {
        try database.rawQuery(sql, binds, prepare: true).map { $0.makeRandomAccess() }
    }

    func run(_ sql: String, _ binds: [PostgresData] = []) throws {
        _ = try database.rawQuery(sql, binds, prepare: true)
    }

    func count(_ sql: String, _ binds: [PostgresData] = []) throws -> Int {
        Int(try rows(sql, binds).first.map { try $0[0].decode(Int64.self) } ?? 0)
    }

    // MARK: Binding and decoding

    func bind(_ value: Int64?) -> PostgresData { value.map { PostgresData(int64: $0) } ?? PostgresData(type: .int8) }
    func bind(_ value: Int?) -> PostgresData { bind(value.map(Int64.init)) }
    func bind(_ value: String?) -> PostgresData { value.map { PostgresData(string: $0) } ?? PostgresData(type: .text) }
    func bind(_ value: Date?) -> PostgresData { bind(value?.seconds) }
    func bind(_ value: Bool) -> PostgresData { PostgresData(bool: value) }

    static func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }

    static func enumValue<T: RawRepresentable>(_ raw: String, _ type: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw DeskError.storage(message: "the chain's database holds an unknown \(T.self): \(raw)") }
        return value
    }

    static func civil(_ text: String) throws -> CivilDate {
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

    static func staff(_ row: Row) throws -> Staff {
        Staff(id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self), idNumber: try row["id_number"].decode(String.self),
              licenseClass: try enumValue(try row["license_class"].decode(String.self), LicenseClass.self),
              licenseFirstIssued: try civil(try row["first_issued"].decode(String.self)),
              licenseValidUntil: try civil(try row["valid_until"].decode(String.self)),
              phone: try row["phone"].decode(String?.self), active: try row["active"].decode(Bool.self),
              createdAt: date(try row["created_at"].decode(Int64.self))!)
    }

    static let vehicleColumns = "id, plate, owner_name, owner_phone, engine_last6, usage, size, created_at"

    static func vehicle(_ row: Row) throws -> Vehicle {
        Vehicle(id: try row["id"].decode(Int64.self), plate: try row["plate"].decode(String.self), ownerName: try row["owner_name"].decode(String.self),
                ownerPhone: try row["owner_phone"].decode(String?.self), engineLast6: try row["engine_last6"].decode(String?.self),
                usage: try enumValue(try row["usage"].decode(String.self), VehicleUsage.self),
                size: try enumValue(try row["size"].decode(String.self), VehicleSize.self), createdAt: date(try row["created_at"].decode(Int64.self))!)
    }

    static let visitColumns = "id, vehicle_id, checkin_at, checkout_at, order_no, odometer_in, odometer_out, fuel_in, fuel_out"

    static func visit(_ row: Row) throws -> Visit {
        Visit(id: try row["id"].decode(Int64.self), vehicleId: try row["vehicle_id"].decode(Int64.self), checkinAt: date(try row["checkin_at"].decode(Int64.self))!,
              checkoutAt: date(try row["checkout_at"].decode(Int64?.self)), orderNo: try row["order_no"].decode(String?.self),
              readings: VisitReadings(odometerIn: try row["odometer_in"].decode(Int?.self), odometerOut: try row["odometer_out"].decode(Int?.self),
                                      fuelIn: try row["fuel_in"].decode(Int?.self), fuelOut: try row["fuel_out"].decode(Int?.self)))
    }

    static let movementColumns = "id, visit_id, vehicle_id, staff_id, start_at, end_at, purpose"

    static func movement(_ row: Row) throws -> Movement {
        Movement(id: try row["id"].decode(Int64.self), visitId: try row["visit_id"].decode(Int64.self), vehicleId: try row["vehicle_id"].decode(Int64.self),
                 staffId: try row["staff_id"].decode(Int64.self), startAt: date(try row["start_at"].decode(Int64.self))!,
                 endAt: date(try row["end_at"].decode(Int64?.self)), purpose: try enumValue(try row["purpose"].decode(String.self), MovementPurpose.self))
    }

    static let registrationColumns = "id, ref, vehicle_id, staff_id, method, status, invited_at, activated_at, removal_due_at, removed_at, expired_at, cancelled_at"

    static func registration(_ row: Row) throws -> Registration {
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

    static func violation(_ row: Row) throws -> Violation {
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

    static func audit(_ row: Row) throws -> AuditEntry {
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

    func insert(_ staff: inout Staff) throws -> StaffHiring {
        let hired = try rows("SELECT staff_id, new_person, differs FROM hire_staff($1, $2, $3, $4::date, $5::date, $6, $7)", [
            bind(staff.idNumber), bind(staff.name), bind(staff.licenseClass.rawValue), bind(staff.licenseFirstIssued.description),
            bind(staff.licenseValidUntil.description), bind(staff.phone), bind(staff.createdAt),
        ])
        guard let row = hired.first else { throw DeskError.storage(message: "the chain's database did not hire \(staff.name)") }
        let differs = try row["differs"].decode([String].self)
        guard differs.isEmpty else { return .differs(differs) }
        guard let id = try row["staff_id"].decode(Int64?.self), let stored = try self.staff(id: id) else {
            throw DeskError.storage(message: "the chain's database did not hire \(staff.name)")
        }
        staff = stored
        return .hired(newPerson: try row["new_person"].decode(Bool.self))
    }

    func update(_ staff: Staff) throws {
        try run("UPDATE staff SET phone = $2, active = $3 WHERE id = $1", [bind(staff.id), bind(staff.phone), bind(staff.active)])
    }

    func correctPerson(_ staff: Staff, context: WriteContext) throws -> PersonCorrection {
        let answer = try rows("SELECT correct_person($1, $2, $3, $4::date, $5::date, $6, $7) AS done", [
            bind(staff.id), bind(staff.name), bind(staff.licenseClass.rawValue), bind(staff.licenseFirstIssued.description),
            bind(staff.licenseValidUntil.description), bind(context.operator), bind(context.now),
        ]).first.map { try $0["done"].decode(String?.self) } ?? nil
        switch answer {
        case "corrected": return .corrected
        case "unchanged": return .unchanged
        case "employedElsewhere": return .employedElsewhere
        default: throw DeskError.storage(message: "the chain's database did not find staff #\(staff.id ?? 0) to correct")
        }
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
            SELECT v.plate, v.owner_name, vi.id, vi.vehicle_id, vi.checkin_at, vi.checkout_at, vi.order_no, vi.odometer_in, vi.odometer_out, vi.fuel_in, vi.fuel_out
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

    func drivenVisits(checkedOutSince since: Date, beyondKm: Int, limit: Int) throws -> [DrivenVisitFact] {
        try rows("""
            SELECT v.plate, vi.id, vi.vehicle_id, vi.checkin_at, vi.checkout_at, vi.order_no, vi.odometer_in, vi.odometer_out, vi.fuel_in, vi.fuel_out
            FROM visit vi JOIN vehicle v ON v.id = vi.vehicle_id
            WHERE vi.odometer_out IS NOT NULL AND vi.checkout_at >= $1 AND vi.odometer_in IS NOT NULL AND vi.odometer_out - vi.odometer_in > $2
            ORDER BY vi.checkout_at DESC LIMIT $3
            """, [bind(since), bind(beyondKm), bind(limit)]).map { DrivenVisitFact(plate: try $0["plate"].decode(String.self), visit: try Self.visit($0)) }
    }

    func insert(_ visit: inout Visit) throws {
        let row = try rows("""
            INSERT INTO visit (vehicle_id, checkin_at, checkout_at, order_no, odometer_in, odometer_out, fuel_in, fuel_out)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
            """, [bind(visit.vehicleId), bind(visit.checkinAt), bind(visit.checkoutAt), bind(visit.orderNo), bind(visit.odometerIn),
                  bind(visit.odometerOut), bind(visit.fuelIn), bind(visit.fuelOut)])
        visit.id = try row.first?["id"].decode(Int64.self)
    }

    func update(_ visit: Visit) throws {
        try run("""
            UPDATE visit SET checkin_at = $2, checkout_at = $3, order_no = $4, odometer_in = $5, odometer_out = $6, fuel_in = $7, fuel_out = $8
            WHERE id = $1
            """, [bind(visit.id), bind(visit.checkinAt), bind(visit.checkoutAt), bind(visit.orderNo), bind(visit.odometerIn),
                  bind(visit.odometerOut), bind(visit.fuelIn), bind(visit.fuelOut)])
    }
}
