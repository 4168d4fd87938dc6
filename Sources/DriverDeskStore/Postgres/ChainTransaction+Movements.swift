import DriverDeskCore
import Foundation
import PostgresNIO

/// Movements and registrations on a chain (R1, R3): a driver's facts across the chain come from the functions of
/// `data/postgres/0002-desk-facts.sql`.
extension ChainTransaction {
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
        return try rows("SELECT shop_code, start_at, end_at FROM driver_movements_elsewhere($1, $2, $3)",
                 [bind(driver.id), bind(start), bind(end)]).map { row in
            // Another shop's stretch is named by that shop's code: no movement number, car or purpose.
            let shop = try row["shop_code"].decode(String.self)
            return MovementSpan(id: 0, plate: "[\(shop)]", staff: driver.ref, start: Self.date(try row["start_at"].decode(Int64.self))!,
                                end: Self.date(try row["end_at"].decode(Int64?.self)), purpose: .other, elsewhere: shop)
        }
    }

    // MARK: Registrations

    func lockDriver(_ driver: Staff) throws {
        try run("SELECT lock_driver($1)", [bind(driver.id)])
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

    func registrationFacts(driver: Staff, activatedIn range: Range<Date>, time: ShopTime) throws -> [RegistrationFact] {
        try rows("SELECT ref, plate, shop_code, status, invited_at, activated_at FROM driver_registrations($1, $2, $3, $4)",
                 [bind(driver.id), bind(range.lowerBound), bind(range.upperBound), bind(time.zone.identifier)]).map { row in
            // Another shop's registration: its code for the car, no reference, and the day it was activated.
            let plate = try row["plate"].decode(String?.self) ?? "[\(try row["shop_code"].decode(String.self))]"
            let activated = Self.date(try row["activated_at"].decode(Int64?.self))
            return RegistrationFact(ref: try row["ref"].decode(String?.self) ?? "", plate: plate, staffName: driver.name,
                                    status: try Self.enumValue(try row["status"].decode(String.self), RegistrationStatus.self),
                                    invitedAt: Self.date(try row["invited_at"].decode(Int64?.self)) ?? activated ?? range.lowerBound, activatedAt: activated)
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
}
