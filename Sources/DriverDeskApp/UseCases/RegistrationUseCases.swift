import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    /// Starts a registration: refuses an invite 12123 could never confirm before it expires (R3).
    func invite(plate: Plate, staff staffKey: String, method: RegistrationMethod?, context: WriteContext,
                       makeRef: () -> String, config: Config) throws -> InviteOutcome {
        let vehicle = try resolveVehicle(plate)
        let staff = try resolveStaff(staffKey)
        try lockDriver(staff)
        let time = config.time
        let today = time.civilDate(of: context.now)
        let method = method ?? RegistrationRules.defaultMethod(for: vehicle)
        let warnings = try RegistrationRules.checkInvite(
            method: method, vehicle: vehicle, staff: staff,
            staffRegistrations: try registrationFacts(driver: staff, year: today.year, time: time),
            vehicleRegistrations: try registrationFacts(vehicle: vehicle),
            today: today, limits: RegistrationLimits(config), time: time)
        var ref = makeRef()
        while try !registrations(RegistrationQuery(ref: ref)).isEmpty { ref = makeRef() }
        var registration = Registration(ref: ref, vehicleId: vehicle.id!, staffId: staff.id!, method: method, invitedAt: context.now)
        try insert(&registration)
        try audit(context, action: "registration.invite", subject: "\(ref) \(vehicle.plate) \(staff.name)", before: nil, after: Audit.json(registration))
        return InviteOutcome(row: RegistrationRow(registration: registration, vehicle: vehicle, staff: staff), warnings: warnings)
    }

    /// The owner has let the staff member register the car in 12123: the registration is active from `at` (R3).
    func confirmRegistration(ref raw: String, at: Date, context: WriteContext, config: Config) throws -> RegistrationRow {
        var row = try resolveRegistration(raw)
        try lockDriver(row.staff)
        let time = config.time
        let limits = RegistrationLimits(config)
        let expiresOn = InviteRules.expiresOn(invitedAt: row.registration.invitedAt, expiryDays: limits.inviteExpiryDays, time: time)
        try RegistrationRules.checkConfirm(
            row.fact, expiresOn: expiresOn, staff: row.staff, plate: row.vehicle.plate,
            staffRegistrations: try registrationFacts(driver: row.staff, year: time.civilDate(of: at).year, time: time),
            vehicleRegistrations: try registrationFacts(vehicle: row.vehicle),
            at: at, limits: limits, time: time)
        let before = Audit.json(row.registration)
        row.registration.status = .active
        row.registration.activatedAt = at
        try update(row.registration)
        try audit(context, action: "registration.confirm", subject: "\(row.registration.ref) \(row.vehicle.plate) \(row.staff.name)",
                     before: before, after: Audit.json(row.registration))
        return row
    }

    /// The owner or the driver removed the registration in 12123 (or the invite is withdrawn). History stays (R8).
    func removeRegistration(ref raw: String, at: Date, context: WriteContext) throws -> RegistrationRow {
        var row = try resolveRegistration(raw)
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
        try update(row.registration)
        try audit(context, action: row.registration.status == .cancelled ? "registration.cancel" : "registration.remove",
                     subject: "\(registration.ref) \(row.vehicle.plate) \(row.staff.name)", before: Audit.json(registration), after: Audit.json(row.registration))
        return row
    }

    /// Registrations, newest first, optionally of one status, car or staff member.
    func registrations(status: RegistrationStatus? = nil, vehicleId: Int64? = nil, staffId: Int64? = nil) throws -> [RegistrationRow] {
        try rows(for: registrations(RegistrationQuery(status: status, vehicleId: vehicleId, staffId: staffId)))
    }

    /// A staff member's slots on a day (R3).
    func slots(staffId: Int64, on day: CivilDate, config: Config) throws -> SlotSummary {
        guard let staff = try self.staff(id: staffId) else {
            throw DeskError.notFound(field: "staff", reason: Message("notFound.staffNumber", ["number": .number(Int(staffId))]))
        }
        let facts = try registrationFacts(driver: staff, year: day.year, time: config.time)
        return RegistrationRules.slots(facts, on: day, limits: RegistrationLimits(config), time: config.time)
    }
}

extension ShopStore {
    /// Starts a registration: refuses an invite 12123 could never confirm before it expires (R3).
    func invite(plate: Plate, staff staffKey: String, method: RegistrationMethod?, context: WriteContext,
                       makeRef: () -> String) throws -> InviteOutcome {
        try writing { tx in try tx.invite(plate: plate, staff: staffKey, method: method, context: context, makeRef: makeRef, config: tx.config()) }
    }

    /// The owner has let the staff member register the car in 12123: the registration is active from `at` (R3).
    func confirmRegistration(ref raw: String, at: Date, context: WriteContext) throws -> RegistrationRow {
        try writing { tx in try tx.confirmRegistration(ref: raw, at: at, context: context, config: tx.config()) }
    }

    /// The owner or the driver removed the registration in 12123 (or the invite is withdrawn). History stays (R8).
    func removeRegistration(ref raw: String, at: Date, context: WriteContext) throws -> RegistrationRow {
        try writing { tx in try tx.removeRegistration(ref: raw, at: at, context: context) }
    }

    /// Registrations, newest first, optionally of one status, car or staff member.
    func registrations(status: RegistrationStatus? = nil, vehicleId: Int64? = nil, staffId: Int64? = nil) throws -> [RegistrationRow] {
        try reading { tx in try tx.registrations(status: status, vehicleId: vehicleId, staffId: staffId) }
    }

    /// A staff member's slots on a day (R3).
    func slots(staffId: Int64, on day: CivilDate) throws -> SlotSummary {
        try reading { tx in try tx.slots(staffId: staffId, on: day, config: tx.config()) }
    }

    /// One registration by its reference, found in any text a scanner typed.
    func registration(ref raw: String) throws -> RegistrationRow {
        try reading { tx in try tx.resolveRegistration(raw) }
    }
}

extension ShopTransaction {
    func resolveRegistration(_ raw: String) throws -> RegistrationRow {
        guard let ref = InviteRef.find(in: raw) else {
            throw DeskError.invalid(field: "ref", reason: Message("input.ref.none", ["raw": .text(String(raw.prefix(60)))]))
        }
        guard let registration = try registrations(RegistrationQuery(ref: ref)).first else {
            throw DeskError.notFound(field: "ref", reason: Message("notFound.invite", ["ref": .text(ref)]))
        }
        return try rows(for: [registration])[0]
    }

    func rows(for registrations: [Registration]) throws -> [RegistrationRow] {
        let vehicles = try self.vehicles(ids: Set(registrations.map(\.vehicleId)))
        let staff = try self.staff(ids: Set(registrations.map(\.staffId)))
        return registrations.map { RegistrationRow(registration: $0, vehicle: vehicles[$0.vehicleId]!, staff: staff[$0.staffId]!) }
    }

    /// A driver's live registrations and those activated in `year` (what R3 counts), across the chain.
    func registrationFacts(driver: Staff, year: Int, time: ShopTime) throws -> [RegistrationFact] {
        let start = time.start(of: CivilDate(year: year, month: 1, day: 1)!)
        let end = time.start(of: CivilDate(year: year + 1, month: 1, day: 1)!)
        return try registrationFacts(driver: driver, activatedIn: start..<end, time: time)
    }

    /// A car's live registrations (what the drivers-per-car limit counts).
    func registrationFacts(vehicle: Vehicle) throws -> [RegistrationFact] {
        try rows(for: registrations(RegistrationQuery(vehicleId: vehicle.id!, liveOnly: true))).map(\.fact)
    }
}
