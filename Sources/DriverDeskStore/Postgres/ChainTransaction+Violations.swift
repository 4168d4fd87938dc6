import DriverDeskCore
import Foundation
import PostgresNIO

/// Violations, imports, accounts and the audit on a chain.
extension ChainTransaction {
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

    func importFacts(vehicleIds: [Int64], instants: [Date], plates: [Int64: String], config: Config) throws -> ((Int64, Date) -> AttributionFacts)? {
        // The shop's movements and visits in one query each (row-level security keeps them to this shop), gathered by
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
        return { vehicleId, at in batch.facts(vehicleId: vehicleId, at: at) }
    }

    func withImportStage<T>(_ body: (inout any ImportStage) throws -> T) throws -> T {
        var stage: any ImportStage = ChainImportStage(transaction: self)
        return try body(&stage)
    }

    // MARK: Accounts

    static let accountColumns = "id, name, role, staff_id, password_hash, active, epoch, created_at"

    static func account(_ row: Row) throws -> Account {
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
        let (filter, binds) = auditFilter(query)
        let columns = "id, at, operator, action, subject, before, after"
        guard let limit = query.limit else {
            return try rows("SELECT \(columns) FROM audit WHERE \(filter) ORDER BY id", binds).map(Self.audit)
        }
        return try rows("SELECT \(columns) FROM audit WHERE \(filter) ORDER BY id DESC LIMIT \(max(0, limit)) OFFSET \(max(0, query.offset))", binds)
            .map(Self.audit).reversed()
    }

    func auditCount(_ query: AuditQuery) throws -> Int {
        let (filter, binds) = auditFilter(query)
        return try rows("SELECT count(*) AS n FROM audit WHERE \(filter)", binds).first.map { Int(try $0["n"].decode(Int64.self)) } ?? 0
    }

    func auditOperators() throws -> [String] {
        try rows("SELECT DISTINCT operator FROM audit ORDER BY operator").map { try $0["operator"].decode(String.self) }
    }

    /// The query's conditions as SQL, with the values they bind.
    private func auditFilter(_ query: AuditQuery) -> (String, [PostgresData]) {
        var conditions: [String] = [], binds: [PostgresData] = []
        func bound(_ value: PostgresData) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let since = query.since { conditions.append("at >= \(bound(bind(since)))") }
        if let before = query.before { conditions.append("at < \(bound(bind(before)))") }
        if let beforeId = query.beforeId { conditions.append("id < \(bound(bind(beforeId)))") }
        if let person = query.person {
            let name = bound(bind(person.lowercased()))
            conditions.append("(lower(operator) = \(name) OR left(lower(operator), length(\(name)) + 2) = (\(name) || ' ('))")
        }
        if let action = query.action {
            let name = bound(bind(action))
            conditions.append("(action = \(name) OR left(action, length(\(name)) + 1) = (\(name) || '.'))")
        }
        return (conditions.isEmpty ? "true" : conditions.joined(separator: " AND "), binds)
    }

    func isEmpty() throws -> Bool {
        try rows("SELECT NOT (EXISTS (SELECT 1 FROM staff) OR EXISTS (SELECT 1 FROM vehicle) OR EXISTS (SELECT 1 FROM audit WHERE action <> 'shop.add')) AS empty")
            .first.map { try $0["empty"].decode(Bool.self) } ?? true
    }
}
