import DriverDeskCore
import Foundation
import GRDB

extension AppDatabase: ShopStore {
    public func writing<T>(_ body: (any ShopTransaction) throws -> T) throws -> T {
        transactions.bump()
        return try write { db in try body(SQLiteTransaction(db: db)) }
    }

    public func reading<T>(_ body: (any ShopTransaction) throws -> T) throws -> T {
        transactions.bump()
        return try read { db in try body(SQLiteTransaction(db: db)) }
    }

    public var shownName: String { writer.path }
}

/// A shop's transaction on its SQLite file (through GRDB): the queries the single-shop product has always run.
/// The statements asked most often (`who`, imports, the dashboard) are prepared once per connection and reused.
struct SQLiteTransaction: ShopTransaction {
    let db: Database

    private func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }

    // MARK: Settings

    func settings() throws -> [String: String] {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM setting")
        return Dictionary(rows.map { ($0["key"] as String, $0["value"] as String) }, uniquingKeysWith: { $1 })
    }

    func setting(_ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key])
    }

    func putSetting(_ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, value])
    }

    // MARK: Cars

    func vehicle(plate: String) throws -> Vehicle? {
        try Vehicle.fetchOne(db.cachedStatement(sql: "SELECT * FROM vehicle WHERE plate = ?"), arguments: [plate])
    }

    func vehicles(ids: Set<Int64>) throws -> [Int64: Vehicle] {
        Dictionary(try Vehicle.filter(keys: ids).fetchAll(db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func vehicles(plateContaining text: String?) throws -> [Vehicle] {
        guard let text else { return try Vehicle.order(Column("plate")).fetchAll(db) }
        return try Vehicle.filter(sql: "instr(plate, ?) > 0", arguments: [text]).order(Column("plate")).fetchAll(db)
    }

    func plates() throws -> [Int64: String] {
        var plates: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, plate FROM vehicle") { plates[row[0]] = row[1] }
        return plates
    }

    func vehicleCount() throws -> Int { try Int.fetchOne(db, sql: "SELECT count(*) FROM vehicle") ?? 0 }

    func insert(_ vehicle: inout Vehicle) throws { try vehicle.insert(db) }

    func update(_ vehicle: Vehicle) throws { try vehicle.update(db) }

    // MARK: Staff

    func staff(id: Int64) throws -> Staff? { try Staff.fetchOne(db, key: id) }

    func staff(ids: Set<Int64>) throws -> [Int64: Staff] {
        Dictionary(try Staff.filter(keys: ids).fetchAll(db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func staff(named name: String) throws -> [Staff] {
        try Staff.filter(Column("name") == name).order(Column("active").desc, Column("id")).fetchAll(db)
    }

    func staff(nameContaining text: String, limit: Int) throws -> [Staff] {
        try Staff.filter(sql: "instr(lower(name), lower(?)) > 0", arguments: [text]).order(Column("id")).limit(limit).fetchAll(db)
    }

    func staff(idNumber: String) throws -> Staff? { try Staff.filter(Column("idNumber") == idNumber).fetchOne(db) }

    func allStaff() throws -> [Staff] { try Staff.order(Column("active").desc, Column("name"), Column("id")).fetchAll(db) }

    func activeStaffCount() throws -> Int { try Int.fetchOne(db, sql: "SELECT count(*) FROM staff WHERE active") ?? 0 }

    func insert(_ staff: inout Staff) throws -> StaffHiring {
        try staff.insert(db)
        return .hired(newPerson: true)
    }

    func update(_ staff: Staff) throws { try staff.update(db) }
    /// A shop's own file keeps its staff members' names and licences in their rows: nobody else's to share.
    func correctPerson(_ staff: Staff, context: WriteContext) throws -> PersonCorrection {
        try staff.update(db)
        return .corrected
    }

    // MARK: Visits

    func visit(id: Int64) throws -> Visit? { try Visit.fetchOne(db, key: id) }

    func visits(vehicleId: Int64, notEndedBefore at: Date) throws -> [Visit] {
        try Visit.fetchAll(db, sql: "SELECT * FROM visit WHERE vehicleId = ? AND (checkoutAt IS NULL OR checkoutAt >= ?) ORDER BY checkinAt",
                           arguments: [vehicleId, at.seconds])
    }

    func openVisit(vehicleId: Int64) throws -> Visit? {
        try Visit.filter(Column("vehicleId") == vehicleId && Column("checkoutAt") == nil).fetchOne(db)
    }

    func visit(vehicleId: Int64, covering at: Date) throws -> Visit? {
        try Visit.fetchOne(db, sql: """
            SELECT * FROM visit WHERE vehicleId = ? AND checkinAt <= ? AND (checkoutAt IS NULL OR checkoutAt >= ?)
            ORDER BY checkinAt DESC LIMIT 1
            """, arguments: [vehicleId, at.seconds, at.seconds])
    }

    func lastVisit(vehicleId: Int64, checkedInBy at: Date) throws -> Visit? {
        try Visit.fetchOne(db.cachedStatement(sql: "SELECT * FROM visit WHERE vehicleId = ? AND checkinAt <= ? ORDER BY checkinAt DESC LIMIT 1"),
                           arguments: [vehicleId, at.seconds])
    }

    func visits(vehicleId: Int64, limit: Int) throws -> [Visit] {
        try Visit.filter(Column("vehicleId") == vehicleId).order(Column("checkinAt").desc).limit(limit).fetchAll(db)
    }

    func openVisits() throws -> [OpenVisitFact] {
        try Row.fetchAll(db, sql: """
            SELECT v.plate, v.ownerName, vi.id, vi.vehicleId, vi.checkinAt, vi.orderNo
            FROM visit vi JOIN vehicle v ON v.id = vi.vehicleId
            WHERE vi.checkoutAt IS NULL ORDER BY vi.checkinAt
            """).map { row in
                OpenVisitFact(plate: row["plate"], ownerName: row["ownerName"],
                              visit: Visit(id: row["id"], vehicleId: row["vehicleId"], checkinAt: date(row["checkinAt"])!, checkoutAt: nil, orderNo: row["orderNo"]))
            }
    }

    func openVisits(checkedInBefore before: Date) throws -> [CleanupFacts.OpenVisit] {
        try Row.fetchAll(db, sql: """
            SELECT v.plate, vi.checkinAt FROM visit vi JOIN vehicle v ON v.id = vi.vehicleId
            WHERE vi.checkoutAt IS NULL AND vi.checkinAt < ? ORDER BY vi.checkinAt
            """, arguments: [before.seconds]).map { CleanupFacts.OpenVisit(plate: $0["plate"], checkinAt: date($0["checkinAt"])!) }
    }

    func drivenVisits(checkedOutSince since: Date, beyondKm: Int, limit: Int) throws -> [DrivenVisitFact] {
        try Row.fetchAll(db, sql: """
            SELECT v.plate, vi.* FROM visit vi JOIN vehicle v ON v.id = vi.vehicleId
            WHERE vi.odometerOut IS NOT NULL AND vi.checkoutAt >= ? AND vi.odometerIn IS NOT NULL AND vi.odometerOut - vi.odometerIn > ?
            ORDER BY vi.checkoutAt DESC LIMIT ?
            """, arguments: [since.seconds, beyondKm, limit]).map { row in DrivenVisitFact(plate: row["plate"], visit: try Visit(row: row)) }
    }

    func insert(_ visit: inout Visit) throws { try visit.insert(db) }

    func update(_ visit: Visit) throws { try visit.update(db) }

    // MARK: Movements

    func movements(_ query: MovementQuery) throws -> [MovementRow] {
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let id = query.vehicleId { clauses.append("m.vehicleId = ?"); arguments.append(id) }
        if let id = query.staffId { clauses.append("m.staffId = ?"); arguments.append(id) }
        if let id = query.visitId { clauses.append("m.visitId = ?"); arguments.append(id) }
        if let at = query.startFrom { clauses.append("m.startAt >= ?"); arguments.append(at.seconds) }
        if let at = query.startBefore { clauses.append("m.startAt < ?"); arguments.append(at.seconds) }
        if let at = query.startUpTo { clauses.append("m.startAt <= ?"); arguments.append(at.seconds) }
        if let at = query.notEndedBefore { clauses.append("(m.endAt IS NULL OR m.endAt >= ?)"); arguments.append(at.seconds) }
        if query.inProgress { clauses.append("m.endAt IS NULL") }
        // The movements in progress come from their partial index (`+` keeps SQLite from walking the whole table in
        // start order to save a sort of a few rows: 251 ms on a million movements, every time the dashboard is drawn).
        let start = query.inProgress ? "+m.startAt" : "m.startAt"
        let order = query.newestFirst ? "\(start) DESC, m.id DESC" : "\(start), m.id"
        let limit = query.limit.map { " LIMIT \($0)" } ?? ""
        let sql = """
            SELECT m.id, m.visitId, v.plate, s.id AS staffId, s.name, m.startAt, m.endAt, m.purpose
            FROM movement m JOIN vehicle v ON v.id = m.vehicleId JOIN staff s ON s.id = m.staffId
            WHERE \(clauses.isEmpty ? "1" : clauses.joined(separator: " AND ")) ORDER BY \(order)\(limit)
            """
        // Prepared once per connection and reused: imports and `who` ask the same questions thousands of times.
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)).map { row in
            let span = MovementSpan(
                id: row["id"], plate: row["plate"], staff: StaffRef(id: row["staffId"], name: row["name"]),
                start: date(row["startAt"])!, end: date(row["endAt"]), purpose: MovementPurpose(rawValue: row["purpose"]) ?? .other)
            return MovementRow(span: span, visitId: row["visitId"])
        }
    }

    func custodyFacts(plate: String, at: Date, window: TimeInterval) throws -> CustodyFacts? {
        guard let vehicle = try vehicle(plate: plate), let id = vehicle.id else { return nil }
        var movements = try movements(MovementQuery(vehicleId: id, startBefore: at.addingTimeInterval(-window), newestFirst: true, limit: 1))
        movements += try self.movements(MovementQuery(vehicleId: id, startFrom: at.addingTimeInterval(-window), startUpTo: at.addingTimeInterval(window)))
        return CustodyFacts(vehicle: vehicle, settings: try settings(), movements: movements, lastVisit: try lastVisit(vehicleId: id, checkedInBy: at))
    }

    func movementInProgress(vehicleId: Int64) throws -> Movement? {
        try Movement.filter(Column("vehicleId") == vehicleId && Column("endAt") == nil).fetchOne(db)
    }

    func movementInProgress(staffId: Int64) throws -> Movement? {
        try Movement.filter(Column("staffId") == staffId && Column("endAt") == nil).fetchOne(db)
    }

    func movementCount(startFrom: Date) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM movement WHERE startAt >= ?", arguments: [startFrom.seconds]) ?? 0
    }

    func lastMovementId() throws -> Int64 { try Int64.fetchOne(db, sql: "SELECT max(id) FROM movement") ?? 0 }

    func insert(_ movement: inout Movement) throws {
        // A voided movement's number is never given again (SQLite would reuse the largest id once its row is gone).
        if movement.id == nil, let voided = try Int64.fetchOne(db, sql: "SELECT max(id) FROM movementVoid"),
           voided >= (try Int64.fetchOne(db, sql: "SELECT max(id) FROM movement") ?? 0) {
            movement.id = voided + 1
        }
        try movement.insert(db)
    }

    func update(_ movement: Movement) throws { try movement.update(db) }

    func movement(id: Int64) throws -> Movement? { try Movement.fetchOne(db, key: id) }

    func void(_ voided: VoidedMovement) throws {
        var record = voided
        try record.insert(db)
        _ = try Movement.deleteOne(db, key: voided.id)
    }

    func voidedMovements(vehicleId: Int64?, staffId: Int64?, limit: Int?) throws -> [VoidedMovement] {
        var request = VoidedMovement.order(Column("startAt").desc, Column("id").desc)
        if let vehicleId { request = request.filter(Column("vehicleId") == vehicleId) }
        if let staffId { request = request.filter(Column("staffId") == staffId) }
        if let limit { request = request.limit(limit) }
        return try request.fetchAll(db)
    }

    func movementsElsewhere(driver: Staff, start: Date, end: Date?) throws -> [MovementSpan] { [] }

    // MARK: Registrations

    func lockDriver(_ driver: Staff) throws {}

    func registrations(_ query: RegistrationQuery) throws -> [Registration] {
        var request = Registration.order(Column("invitedAt").desc, Column("id").desc)
        if let ref = query.ref { request = request.filter(Column("ref") == ref) }
        if let status = query.status { request = request.filter(Column("status") == status.rawValue) }
        if let id = query.vehicleId { request = request.filter(Column("vehicleId") == id) }
        if let id = query.staffId { request = request.filter(Column("staffId") == id) }
        if query.liveOnly { request = request.filter(sql: "status IN ('invited', 'active', 'removalDue')") }
        if let range = query.liveOrActivatedIn {
            request = request.filter(sql: "(status IN ('invited', 'active', 'removalDue') OR (activatedAt >= ? AND activatedAt < ?))",
                                     arguments: [range.lowerBound.seconds, range.upperBound.seconds])
        }
        return try request.fetchAll(db)
    }

    func registrationFacts(driver: Staff, activatedIn range: Range<Date>, time: ShopTime) throws -> [RegistrationFact] {
        let registrations = try self.registrations(RegistrationQuery(staffId: driver.id!, liveOrActivatedIn: range))
        let vehicles = try self.vehicles(ids: Set(registrations.map(\.vehicleId)))
        return registrations.map {
            RegistrationFact(ref: $0.ref, plate: vehicles[$0.vehicleId]?.plate ?? "?", staffName: driver.name, status: $0.status,
                             invitedAt: $0.invitedAt, activatedAt: $0.activatedAt)
        }
    }

    func registration(vehicleId: Int64, staffId: Int64) throws -> Registration? {
        try Registration.fetchOne(db, sql: """
            SELECT * FROM registration WHERE vehicleId = ? AND staffId = ?
            ORDER BY status IN ('invited', 'active', 'removalDue') DESC, invitedAt DESC LIMIT 1
            """, arguments: [vehicleId, staffId])
    }

    func insert(_ registration: inout Registration) throws { try registration.insert(db) }

    func update(_ registration: Registration) throws { try registration.update(db) }

    func cleanupRegistrations() throws -> [CleanupFacts.Registration] {
        try Row.fetchAll(db, sql: """
            SELECT r.ref, v.plate, s.name, r.status, r.invitedAt, r.removalDueAt,
                   (SELECT max(checkoutAt) FROM visit WHERE vehicleId = r.vehicleId) AS leftAt,
                   EXISTS (SELECT 1 FROM visit WHERE vehicleId = r.vehicleId AND checkoutAt IS NULL) AS inShop,
                   EXISTS (SELECT 1 FROM violation WHERE vehicleId = r.vehicleId AND driverId = r.staffId AND status IN ('open', 'processed')) AS unpaid
            FROM registration r JOIN vehicle v ON v.id = r.vehicleId JOIN staff s ON s.id = r.staffId
            WHERE r.status IN ('invited', 'active', 'removalDue')
            ORDER BY r.invitedAt, r.id
            """).map { row in
                CleanupFacts.Registration(
                    ref: row["ref"], plate: row["plate"], staff: row["name"], status: RegistrationStatus(rawValue: row["status"]) ?? .active,
                    invitedAt: date(row["invitedAt"])!, removalDueAt: date(row["removalDueAt"]), leftCustodyAt: date(row["leftAt"]),
                    inShop: row["inShop"], hasUnpaidViolation: row["unpaid"])
            }
    }

    // MARK: Violations

    func violation(id: Int64) throws -> Violation? { try Violation.fetchOne(db, key: id) }

    func violations(status: ViolationStatus?, limit: Int?) throws -> [Violation] {
        var request = Violation.order(Column("occurredAt").desc, Column("id").desc)
        if let status { request = request.filter(Column("status") == status.rawValue) }
        if let limit { request = request.limit(limit) }
        return try request.fetchAll(db)
    }

    func actionableViolations(limit: Int) throws -> (rows: [Violation], total: Int) {
        let condition = "status = 'processed' OR (status = 'open' AND attribution <> 'outsideCustody')"
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM violation WHERE \(condition)") ?? 0
        let rows = try Violation.fetchAll(db, sql: "SELECT * FROM violation WHERE \(condition) ORDER BY occurredAt DESC, id DESC LIMIT ?", arguments: [limit])
        return (rows, total)
    }

    func violationId(recordNo: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM violation WHERE recordNo = ?", arguments: [recordNo])
    }

    func violationId(vehicleId: Int64, occurredAt: Date, code: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM violation WHERE vehicleId = ? AND occurredAt = ? AND code = ?", arguments: [vehicleId, occurredAt.seconds, code])
    }

    func points(driver: Staff, processedIn range: Range<Date>, excluding id: Int64?) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT coalesce(sum(points), 0) FROM violation
            WHERE driverId = ? AND status IN ('processed', 'paid') AND processedAt >= ? AND processedAt < ? AND id IS NOT ?
            """, arguments: [driver.id!, range.lowerBound.seconds, range.upperBound.seconds, id]) ?? 0
    }

    func pointPlates(driverId: Int64, processedSince since: Date) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: """
            SELECT DISTINCT v.plate FROM violation x JOIN vehicle v ON v.id = x.vehicleId
            WHERE x.driverId = ? AND x.processedAt >= ? AND x.points > 0
            """, arguments: [driverId, since.seconds]))
    }

    func pointDrivers(vehicleId: Int64, processedSince since: Date) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: """
            SELECT DISTINCT s.name FROM violation x JOIN staff s ON s.id = x.driverId
            WHERE x.vehicleId = ? AND x.processedAt >= ? AND x.points > 0
            """, arguments: [vehicleId, since.seconds]))
    }

    func unpaidCount(vehicleId: Int64, driverId: Int64, excluding id: Int64) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM violation WHERE vehicleId = ? AND driverId = ? AND status IN ('open', 'processed') AND id <> ?
            """, arguments: [vehicleId, driverId, id]) ?? 0
    }

    func unpaidFines(processedBy: Date) throws -> [CleanupFacts.UnpaidFine] {
        try Row.fetchAll(db, sql: """
            SELECT x.id, v.plate, s.name, x.fineFen, x.processedAt FROM violation x
            JOIN vehicle v ON v.id = x.vehicleId LEFT JOIN staff s ON s.id = x.driverId
            WHERE x.status = 'processed' AND x.processedAt <= ? ORDER BY x.processedAt, x.id
            """, arguments: [processedBy.seconds]).map {
                CleanupFacts.UnpaidFine(violationId: $0["id"], plate: $0["plate"], staff: $0["name"], fineFen: $0["fineFen"], processedAt: date($0["processedAt"])!)
            }
    }

    func insert(_ violation: inout Violation) throws { try violation.insert(db) }

    func violations(vehicleId: Int64, occurredFrom from: Date, to: Date) throws -> [Violation] {
        try Violation.filter(Column("vehicleId") == vehicleId && Column("occurredAt") >= from.seconds && Column("occurredAt") <= to.seconds)
            .order(Column("occurredAt"), Column("id")).fetchAll(db)
    }

    func update(_ violation: Violation) throws { try violation.update(db) }

    // MARK: Imports

    func importFacts(vehicleIds: [Int64], instants: [Date], plates: [Int64: String], config: Config) throws -> ((Int64, Date) -> AttributionFacts)? {
        let batch = try ImportAttribution(vehicleIds: vehicleIds, instants: instants, plates: plates, config: config, db)
        return { vehicleId, at in batch.facts(vehicleId: vehicleId, at: at) }
    }

    func withImportStage<T>(_ body: (inout any ImportStage) throws -> T) throws -> T {
        try ImportStaging.withImportCache(db) {
            var stage: any ImportStage = SQLiteImportStage(staging: try ImportStaging(db), db: db)
            return try body(&stage)
        }
    }


    // MARK: Accounts

    func accounts() throws -> [Account] { try Account.order(Column("name").collating(.nocase), Column("id")).fetchAll(db) }

    func account(named name: String) throws -> Account? {
        // NOCASE folds ASCII only; names in other scripts compare as typed.
        try Account.filter(sql: "name = ? COLLATE NOCASE", arguments: [name]).fetchOne(db)
    }

    func account(id: Int64) throws -> Account? { try Account.fetchOne(db, key: id) }

    func insert(_ account: inout Account) throws { try account.insert(db) }

    func update(_ account: Account) throws { try account.update(db) }

    // MARK: Audit

    func append(_ entry: AuditEntry) throws {
        var entry = entry
        try entry.insert(db)
    }

    func auditEntries(_ query: AuditQuery) throws -> [AuditEntry] {
        let request = auditRequest(query)
        guard let limit = query.limit else { return try request.order(Column("id")).fetchAll(db) }
        return try request.order(Column("id").desc).limit(limit, offset: query.offset).fetchAll(db).reversed()
    }

    func auditCount(_ query: AuditQuery) throws -> Int { try auditRequest(query).fetchCount(db) }

    func auditOperators() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT operator FROM audit ORDER BY operator")
    }

    /// The query's conditions, without order or limit.
    private func auditRequest(_ query: AuditQuery) -> QueryInterfaceRequest<AuditEntry> {
        var request = AuditEntry.all()
        if let since = query.since { request = request.filter(Column("at") >= since.seconds) }
        if let before = query.before { request = request.filter(Column("at") < before.seconds) }
        if let beforeId = query.beforeId { request = request.filter(Column("id") < beforeId) }
        if let person = query.person {
            request = request.filter(sql: "(operator = ? COLLATE NOCASE OR substr(operator, 1, ?) = ? COLLATE NOCASE)",
                                     arguments: [person, person.utf8.count + 2, person + " ("])
        }
        if let action = query.action {
            request = request.filter(sql: "(action = ? OR substr(action, 1, ?) = ?)", arguments: [action, action.utf8.count + 1, action + "."])
        }
        return request
    }

    func isEmpty() throws -> Bool {
        try !(Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM staff) OR EXISTS(SELECT 1 FROM vehicle) OR EXISTS(SELECT 1 FROM audit)") ?? false)
    }
}

struct SQLiteImportStage: ImportStage {
    var staging: ImportStaging
    let db: Database

    mutating func append(_ new: NewViolation, vehicleId: Int64, attribution: Attribution, recordedAt: Int64) throws {
        try staging.append(new, vehicleId: vehicleId, attribution: attribution, recordedAt: recordedAt)
    }

    func move(rowByRow: Bool) throws -> ImportOutcome { try staging.move(db, rowByRow: rowByRow) }
}
