import DriverDeskCore
import Foundation
import GRDB

/// A registration with its car and staff member, for lists, slips and rules.
public struct RegistrationRow: Sendable, Equatable {
    public var registration: Registration
    public var vehicle: Vehicle
    public var staff: Staff

    public var fact: RegistrationFact {
        RegistrationFact(ref: registration.ref, plate: vehicle.plate, staffName: staff.name, status: registration.status,
                         invitedAt: registration.invitedAt, activatedAt: registration.activatedAt)
    }
}

/// What `register invite` made, and what the front desk should know about it.
public struct InviteOutcome: Sendable {
    public var row: RegistrationRow
    public var warnings: [Message]
}

extension AppDatabase {
    /// Starts a registration: refuses an invite 12123 could never confirm before it expires (R3).
    public func invite(plate: Plate, staff staffKey: String, method: RegistrationMethod?, context: WriteContext,
                       makeRef: () -> String) throws -> InviteOutcome {
        try write { db in
            let vehicle = try AppDatabase.resolveVehicle(plate, db)
            let staff = try AppDatabase.resolveStaff(staffKey, db)
            let config = try AppDatabase.config(db)
            let time = config.time
            let today = time.civilDate(of: context.now)
            let method = method ?? RegistrationRules.defaultMethod(for: vehicle)
            let warnings = try RegistrationRules.checkInvite(
                method: method, vehicle: vehicle, staff: staff,
                staffRegistrations: try AppDatabase.registrationFacts(db, staffId: staff.id!, year: today.year, time: time),
                vehicleRegistrations: try AppDatabase.registrationFacts(db, vehicleId: vehicle.id!),
                today: today, limits: RegistrationLimits(config), time: time)
            var ref = makeRef()
            while try Registration.filter(Column("ref") == ref).fetchCount(db) > 0 { ref = makeRef() }
            var registration = Registration(ref: ref, vehicleId: vehicle.id!, staffId: staff.id!, method: method, invitedAt: context.now)
            try registration.insert(db)
            try Audit.record(db, context, action: "registration.invite", subject: "\(ref) \(vehicle.plate) \(staff.name)", before: nil, after: Audit.json(registration))
            return InviteOutcome(row: RegistrationRow(registration: registration, vehicle: vehicle, staff: staff), warnings: warnings)
        }
    }

    /// The owner has let the staff member register the car in 12123: the registration is active from `at` (R3).
    public func confirmRegistration(ref raw: String, at: Date, context: WriteContext) throws -> RegistrationRow {
        try write { db in
            var row = try AppDatabase.resolveRegistration(raw, db)
            let config = try AppDatabase.config(db)
            let time = config.time
            let limits = RegistrationLimits(config)
            let expiresOn = InviteRules.expiresOn(invitedAt: row.registration.invitedAt, expiryDays: limits.inviteExpiryDays, time: time)
            try RegistrationRules.checkConfirm(
                row.fact, expiresOn: expiresOn, staff: row.staff, plate: row.vehicle.plate,
                staffRegistrations: try AppDatabase.registrationFacts(db, staffId: row.staff.id!, year: time.civilDate(of: at).year, time: time),
                vehicleRegistrations: try AppDatabase.registrationFacts(db, vehicleId: row.vehicle.id!),
                at: at, limits: limits, time: time)
            let before = Audit.json(row.registration)
            row.registration.status = .active
            row.registration.activatedAt = at
            try row.registration.update(db)
            try Audit.record(db, context, action: "registration.confirm", subject: "\(row.registration.ref) \(row.vehicle.plate) \(row.staff.name)",
                             before: before, after: Audit.json(row.registration))
            return row
        }
    }

    /// The owner or the driver removed the registration in 12123 (or the invite is withdrawn). History stays (R8).
    public func removeRegistration(ref raw: String, at: Date, context: WriteContext) throws -> RegistrationRow {
        try write { db in
            var row = try AppDatabase.resolveRegistration(raw, db)
            let registration = row.registration
            switch registration.status {
            case .invited:
                guard at >= registration.invitedAt else {
                    throw DeskError.invalid(field: "at", reason: Message("input.beforeInvite", ["at": .time(at), "invited": .time(registration.invitedAt)]))
                }
                row.registration.status = .cancelled
                row.registration.cancelledAt = at
            case .active, .removalDue:
                guard at >= registration.activatedAt! else {
                    throw DeskError.invalid(field: "at", reason: Message("input.beforeConfirmed", ["at": .time(at), "confirmed": .time(registration.activatedAt!)]))
                }
                row.registration.status = .removed
                row.registration.removedAt = at
            case .removed, .expired, .cancelled:
                try RegistrationRules.checkRemove(ref: registration.ref, status: registration.status, removedAt: registration.removedAt,
                                                  expiredAt: registration.expiredAt, cancelledAt: registration.cancelledAt)
            }
            try row.registration.update(db)
            try Audit.record(db, context, action: row.registration.status == .cancelled ? "registration.cancel" : "registration.remove",
                             subject: "\(registration.ref) \(row.vehicle.plate) \(row.staff.name)", before: Audit.json(registration), after: Audit.json(row.registration))
            return row
        }
    }

    /// Registrations, newest first, optionally of one status, car or staff member.
    public func registrations(status: RegistrationStatus? = nil, vehicleId: Int64? = nil, staffId: Int64? = nil) throws -> [RegistrationRow] {
        try read { db in
            var request = Registration.order(Column("invitedAt").desc, Column("id").desc)
            if let status { request = request.filter(Column("status") == status.rawValue) }
            if let vehicleId { request = request.filter(Column("vehicleId") == vehicleId) }
            if let staffId { request = request.filter(Column("staffId") == staffId) }
            return try AppDatabase.rows(for: request.fetchAll(db), db)
        }
    }

    /// One registration by its reference, found in any text a scanner typed.
    public func registration(ref raw: String) throws -> RegistrationRow {
        try read { db in try AppDatabase.resolveRegistration(raw, db) }
    }

    /// A staff member's slots on a day (R3).
    public func slots(staffId: Int64, on day: CivilDate) throws -> SlotSummary {
        try read { db in
            let config = try AppDatabase.config(db)
            let facts = try AppDatabase.registrationFacts(db, staffId: staffId, year: day.year, time: config.time)
            return RegistrationRules.slots(facts, on: day, limits: RegistrationLimits(config), time: config.time)
        }
    }

    static func resolveRegistration(_ raw: String, _ db: Database) throws -> RegistrationRow {
        guard let ref = InviteRef.find(in: raw) else {
            throw DeskError.invalid(field: "ref", reason: Message("input.ref.none", ["raw": .text(String(raw.prefix(60)))]))
        }
        guard let registration = try Registration.filter(Column("ref") == ref).fetchOne(db) else {
            throw DeskError.notFound(field: "ref", reason: Message("notFound.invite", ["ref": .text(ref)]))
        }
        return try rows(for: [registration], db)[0]
    }

    static func rows(for registrations: [Registration], _ db: Database) throws -> [RegistrationRow] {
        let vehicleIds = Set(registrations.map(\.vehicleId)), staffIds = Set(registrations.map(\.staffId))
        let vehicles = Dictionary(try Vehicle.filter(keys: vehicleIds).fetchAll(db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let staff = Dictionary(try Staff.filter(keys: staffIds).fetchAll(db).map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        return registrations.map { RegistrationRow(registration: $0, vehicle: vehicles[$0.vehicleId]!, staff: staff[$0.staffId]!) }
    }

    /// A staff member's live registrations and those activated in `year` (what R3 counts).
    static func registrationFacts(_ db: Database, staffId: Int64, year: Int, time: ShopTime) throws -> [RegistrationFact] {
        let start = time.start(of: CivilDate(year: year, month: 1, day: 1)!).seconds
        let end = time.start(of: CivilDate(year: year + 1, month: 1, day: 1)!).seconds
        let registrations = try Registration.fetchAll(db, sql: """
            SELECT * FROM registration WHERE staffId = ?
              AND (status IN ('invited', 'active', 'removalDue') OR (activatedAt >= ? AND activatedAt < ?))
            """, arguments: [staffId, start, end])
        return try rows(for: registrations, db).map(\.fact)
    }

    /// A car's live registrations (what the drivers-per-car limit counts).
    static func registrationFacts(_ db: Database, vehicleId: Int64) throws -> [RegistrationFact] {
        let registrations = try Registration.fetchAll(db, sql: """
            SELECT * FROM registration WHERE vehicleId = ? AND status IN ('invited', 'active', 'removalDue')
            """, arguments: [vehicleId])
        return try rows(for: registrations, db).map(\.fact)
    }
}
