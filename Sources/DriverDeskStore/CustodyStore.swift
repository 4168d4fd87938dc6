import DriverDeskCore
import Foundation
import GRDB

/// A movement with the plate and the driver's name, for lists and rules.
public struct MovementRow: Sendable, Equatable {
    public var span: MovementSpan
    public var visitId: Int64
}

/// Which movements to list.
public struct MovementFilter: Sendable {
    public var vehicleId: Int64?
    public var staffId: Int64?
    public var from: Date?
    public var to: Date?
    public var limit: Int?

    public init(vehicleId: Int64? = nil, staffId: Int64? = nil, from: Date? = nil, to: Date? = nil, limit: Int? = nil) {
        self.vehicleId = vehicleId
        self.staffId = staffId
        self.from = from
        self.to = to
        self.limit = limit
    }
}

extension AppDatabase {
    /// Opens a visit: the car is in the shop's custody from `at` (R1).
    public func checkin(plate: Plate, at: Date, orderNo: String?, context: WriteContext) throws -> Visit {
        try write { db in
            let vehicle = try AppDatabase.resolveVehicle(plate, db)
            let config = try AppDatabase.config(db)
            let near = try Visit.fetchAll(db, sql: """
                SELECT * FROM visit WHERE vehicleId = ? AND (checkoutAt IS NULL OR checkoutAt >= ?) ORDER BY checkinAt
                """, arguments: [vehicle.id!, at.seconds])
            try CustodyRules.checkCheckin(plate: vehicle.plate, at: at, visits: near.map(\.span), time: config.time)
            var visit = Visit(vehicleId: vehicle.id!, checkinAt: at, orderNo: orderNo)
            try visit.insert(db)
            try Audit.record(db, context, action: "visit.checkin", subject: "visit #\(visit.id!) \(vehicle.plate)", before: nil, after: Audit.json(visit))
            return visit
        }
    }

    /// Closes the open visit of a car, once nobody is driving it (R1).
    public func checkout(plate: Plate, at: Date, context: WriteContext) throws -> Visit {
        try write { db in
            let vehicle = try AppDatabase.resolveVehicle(plate, db)
            let config = try AppDatabase.config(db)
            let open = try Visit.filter(Column("vehicleId") == vehicle.id! && Column("checkoutAt") == nil).fetchOne(db)
            try CustodyRules.checkHasOpenVisit(plate: vehicle.plate, open: open != nil)
            guard var visit = open else { throw DeskError.storage(message: "no open visit") }
            let movements = try AppDatabase.spans(db, where: "m.visitId = ?", [visit.id!])
            try CustodyRules.checkCheckout(plate: vehicle.plate, visit: visit.span, at: at, movements: movements, time: config.time)
            let before = Audit.json(visit)
            visit.checkoutAt = at
            try visit.update(db)
            try Audit.record(db, context, action: "visit.checkout", subject: "visit #\(visit.id!) \(vehicle.plate)", before: before, after: Audit.json(visit))
            return visit
        }
    }

    /// A staff member starts driving a car in the shop (R1).
    public func startMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, at: Date, context: WriteContext) throws -> MovementRow {
        try recordMovement(plate: plate, staff: staffKey, purpose: purpose, start: at, end: nil, action: "movement.start", context: context)
    }

    /// Records a movement that has already ended (R1).
    public func logMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, from: Date, to: Date, context: WriteContext) throws -> MovementRow {
        try recordMovement(plate: plate, staff: staffKey, purpose: purpose, start: from, end: to, action: "movement.log", context: context)
    }

    private func recordMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, start: Date, end: Date?, action: String, context: WriteContext) throws -> MovementRow {
        try write { db in
            let vehicle = try AppDatabase.resolveVehicle(plate, db)
            let staff = try AppDatabase.resolveStaff(staffKey, db)
            try CustodyRules.checkDriver(staff.ref, active: staff.active)
            let config = try AppDatabase.config(db)
            let visit = try AppDatabase.visit(of: vehicle.id!, covering: start, db)
            let vehicleNear = try AppDatabase.spansNear(db, column: "vehicleId", id: vehicle.id!, start: start, end: end)
            let staffNear = try AppDatabase.spansNear(db, column: "staffId", id: staff.id!, start: start, end: end)
            try CustodyRules.checkMovement(plate: vehicle.plate, staff: staff.ref, start: start, end: end, visit: visit?.span,
                                           vehicleMovements: vehicleNear, staffMovements: staffNear, time: config.time)
            var movement = Movement(visitId: visit!.id!, vehicleId: vehicle.id!, staffId: staff.id!, startAt: start, endAt: end, purpose: purpose)
            try movement.insert(db)
            try Audit.record(db, context, action: action, subject: "movement #\(movement.id!) \(vehicle.plate) \(staff.name)", before: nil, after: Audit.json(movement))
            return MovementRow(span: MovementSpan(id: movement.id!, plate: vehicle.plate, staff: staff.ref, start: start, end: end, purpose: purpose), visitId: visit!.id!)
        }
    }

    /// Ends the movement in progress on a car (R1).
    public func endMovement(plate: Plate, at: Date, context: WriteContext) throws -> MovementRow {
        try write { db in
            let vehicle = try AppDatabase.resolveVehicle(plate, db)
            let config = try AppDatabase.config(db)
            let driven = try Movement.filter(Column("vehicleId") == vehicle.id! && Column("endAt") == nil).fetchOne(db)
            try CustodyRules.checkBeingDriven(plate: vehicle.plate, driven: driven != nil)
            guard var movement = driven else { throw DeskError.storage(message: "no movement in progress") }
            let staff = try Staff.fetchOne(db, key: movement.staffId)!
            guard let visit = try Visit.fetchOne(db, key: movement.visitId) else { throw DeskError.storage(message: "movement #\(movement.id!) has no visit") }
            try CustodyRules.checkMovement(id: movement.id, plate: vehicle.plate, staff: staff.ref, start: movement.startAt, end: at, visit: visit.span,
                                           vehicleMovements: [], staffMovements: [], time: config.time)
            let before = Audit.json(movement)
            movement.endAt = at
            try movement.update(db)
            try Audit.record(db, context, action: "movement.end", subject: "movement #\(movement.id!) \(vehicle.plate) \(staff.name)", before: before, after: Audit.json(movement))
            return MovementRow(span: MovementSpan(id: movement.id!, plate: vehicle.plate, staff: staff.ref, start: movement.startAt, end: at, purpose: movement.purpose), visitId: visit.id!)
        }
    }

    /// Movements matching a filter, newest first.
    public func movements(_ filter: MovementFilter) throws -> [MovementRow] {
        try read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let id = filter.vehicleId { clauses.append("m.vehicleId = ?"); arguments.append(id) }
            if let id = filter.staffId { clauses.append("m.staffId = ?"); arguments.append(id) }
            if let from = filter.from { clauses.append("(m.endAt IS NULL OR m.endAt >= ?)"); arguments.append(from.seconds) }
            if let to = filter.to { clauses.append("m.startAt <= ?"); arguments.append(to.seconds) }
            let condition = clauses.isEmpty ? "1" : clauses.joined(separator: " AND ")
            let limit = filter.limit.map { " LIMIT \($0)" } ?? ""
            return try AppDatabase.rows(db, where: condition + " ORDER BY m.startAt DESC, m.id DESC" + limit, StatementArguments(arguments))
        }
    }

    /// R2 for a plate at a time, from the movements and visits near it.
    public func attribution(plate: Plate, at: Date, isParking: Bool) throws -> (vehicle: Vehicle, attribution: Attribution) {
        try read { db in
            let vehicle = try AppDatabase.resolveVehicle(plate, db)
            let config = try AppDatabase.config(db)
            return (vehicle, try AppDatabase.attribution(vehicle: vehicle, at: at, isParking: isParking, config: config, db))
        }
    }

    static func attribution(vehicle: Vehicle, at: Date, isParking: Bool, config: Config, _ db: Database) throws -> Attribution {
        try attribution(vehicleId: vehicle.id!, plate: vehicle.plate, at: at, isParking: isParking, config: config, db)
    }

    static func attribution(vehicleId: Int64, plate: String, at: Date, isParking: Bool, config: Config, _ db: Database) throws -> Attribution {
        let slack = Int64(config.slack)
        let t = at.seconds
        var near = try spans(db, where: "m.vehicleId = ? AND m.startAt BETWEEN ? AND ?", [vehicleId, t - slack, t + slack])
        near += try spans(db, where: "m.vehicleId = ? AND m.startAt < ? ORDER BY m.startAt DESC LIMIT 1", [vehicleId, t - slack])
        let visits = try Visit.fetchAll(db.cachedStatement(sql: "SELECT * FROM visit WHERE vehicleId = ? AND checkinAt <= ? ORDER BY checkinAt DESC LIMIT 1"),
                                        arguments: [vehicleId, t])
        return Attribution.decide(plate: plate, at: at, isParking: isParking, movements: near, visits: visits.map(\.span),
                                  slack: config.slack, time: config.time)
    }

    /// The visit of a vehicle that covers an instant, if any (visits never overlap).
    static func visit(of vehicleId: Int64, covering at: Date, _ db: Database) throws -> Visit? {
        try Visit.fetchOne(db, sql: """
            SELECT * FROM visit WHERE vehicleId = ? AND checkinAt <= ? AND (checkoutAt IS NULL OR checkoutAt >= ?)
            ORDER BY checkinAt DESC LIMIT 1
            """, arguments: [vehicleId, at.seconds, at.seconds])
    }

    /// Every movement that could overlap [start, end): those starting inside it, and the last one before it.
    ///
    /// Complete because recorded movements of one vehicle (or one staff member) never overlap each other.
    static func spansNear(_ db: Database, column: String, id: Int64, start: Date, end: Date?) throws -> [MovementSpan] {
        let endSeconds = end?.seconds ?? Int64.max
        var result = try spans(db, where: "m.\(column) = ? AND m.startAt >= ? AND m.startAt < ?", [id, start.seconds, endSeconds])
        result += try spans(db, where: "m.\(column) = ? AND m.startAt < ? ORDER BY m.startAt DESC LIMIT 1", [id, start.seconds])
        return result
    }

    static func spans(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> [MovementSpan] {
        try rows(db, where: condition, arguments).map(\.span)
    }

    static func rows(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> [MovementRow] {
        let sql = """
            SELECT m.id, m.visitId, v.plate, s.id AS staffId, s.name, m.startAt, m.endAt, m.purpose
            FROM movement m JOIN vehicle v ON v.id = m.vehicleId JOIN staff s ON s.id = m.staffId
            WHERE \(condition)
            """
        // Prepared once per connection and reused: imports and `who` ask the same questions thousands of times.
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            let end: Int64? = row["endAt"]
            let span = MovementSpan(
                id: row["id"], plate: row["plate"], staff: StaffRef(id: row["staffId"], name: row["name"]),
                start: Date(timeIntervalSince1970: TimeInterval(row["startAt"] as Int64)),
                end: end.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                purpose: MovementPurpose(rawValue: row["purpose"]) ?? .other)
            return MovementRow(span: span, visitId: row["visitId"])
        }
    }
}
