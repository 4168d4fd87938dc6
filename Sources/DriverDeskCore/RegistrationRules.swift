import Foundation

/// R3: the 12123 limits on non-owner registrations, checked when inviting and when confirming.
public enum RegistrationRules {
    /// The method to use when none is asked for: online by QR where 12123 allows it, else the window.
    public static func defaultMethod(for vehicle: Vehicle) -> RegistrationMethod {
        vehicle.usage == .private && vehicle.size == .small ? .qr : .window
    }

    /// The staff member's slots on a day, from his registrations (live ones and this year's).
    public static func slots(_ registrations: [RegistrationFact], on day: CivilDate, limits: RegistrationLimits, time: ShopTime) -> SlotSummary {
        let activated = registrations.compactMap { $0.activatedAt.map(time.civilDate(of:)) }
        return SlotSummary(
            active: registrations.filter { $0.status.holdsSlot }.count, activeLimit: limits.activePerStaff,
            pending: registrations.filter { $0.status == .invited }.count,
            thisYear: activated.filter { $0.year == day.year }.count, yearLimit: limits.newPerYear,
            today: activated.filter { $0 == day }.count, dayLimit: limits.newPerDay)
    }

    /// Refuses an invite that could never be confirmed before it expires; returns warnings for one that must wait.
    ///
    /// Pending invites count as if confirmed: they compete for the same slots.
    public static func checkInvite(
        method: RegistrationMethod, vehicle: Vehicle, staff: Staff,
        staffRegistrations: [RegistrationFact], vehicleRegistrations: [RegistrationFact],
        today: CivilDate, limits: RegistrationLimits, time: ShopTime
    ) throws -> [Message] {
        guard staff.active else {
            throw refused(Message("registration.staffInactive", ["staff": .text(staff.name)]))
        }
        guard staff.licenseValid(on: today) else {
            throw refused(Message("registration.licenceExpired", ["staff": .text(staff.name), "expired": .day(staff.licenseValidUntil)]))
        }
        try checkMethod(method, vehicle: vehicle)
        if let same = vehicleRegistrations.first(where: { car in car.status.isLive && staffRegistrations.contains { $0.ref == car.ref } }) {
            throw refused(Message("registration.alreadyHas", ["staff": .text(staff.name), "ref": .text(same.ref), "plate": .text(vehicle.plate), "status": .term("registrationStatus", same.status.rawValue)]))
        }

        let live = staffRegistrations.filter { $0.status.isLive }
        if live.count >= limits.activePerStaff {
            throw refused(Message("registration.staffFull", ["staff": .text(staff.name), "count": .number(live.count), "limit": .number(limits.activePerStaff), "registrations": .names(list(live))]))
        }
        let carLive = vehicleRegistrations.filter { $0.status.isLive }
        if carLive.count >= limits.driversPerVehicle {
            throw refused(Message("registration.vehicleFull", ["plate": .text(vehicle.plate), "count": .number(carLive.count), "limit": .number(limits.driversPerVehicle), "drivers": .names(carLive.map { "\($0.staffName) \($0.ref)" })]))
        }

        let expires = today.adding(days: limits.inviteExpiryDays)
        let yearCount = staffRegistrations.filter { fact in
            fact.status == .invited || fact.activatedAt.map { time.civilDate(of: $0).year == today.year } == true
        }.count
        if yearCount >= limits.newPerYear {
            let nextYear = CivilDate(year: today.year + 1, month: 1, day: 1)!
            if nextYear > expires {
                throw refused(Message("registration.yearFull", ["staff": .text(staff.name), "count": .number(yearCount), "limit": .number(limits.newPerYear), "year": .number(today.year), "next": .day(nextYear)]))
            }
            return [Message("registration.waitForNextYear", ["staff": .text(staff.name), "limit": .number(limits.newPerYear), "year": .number(today.year), "next": .day(nextYear), "expires": .day(expires)])]
        }
        let activatedToday = staffRegistrations.filter { $0.activatedAt.map { time.civilDate(of: $0) == today } == true }
        if activatedToday.count >= limits.newPerDay {
            return [Message("registration.waitForTomorrow", ["staff": .text(staff.name), "plates": .names(activatedToday.map(\.plate)), "limit": .number(limits.newPerDay), "from": .day(today.adding(days: 1))])]
        }
        return []
    }

    /// Refuses a confirmation that 12123 would refuse on that day (R3).
    public static func checkConfirm(
        _ registration: RegistrationFact, expiresOn: CivilDate, staff: Staff, plate: String,
        staffRegistrations: [RegistrationFact], vehicleRegistrations: [RegistrationFact],
        at: Date, limits: RegistrationLimits, time: ShopTime
    ) throws {
        let day = time.civilDate(of: at)
        switch registration.status {
        case .invited: break
        case .active, .removalDue:
            throw refused(Message("registration.alreadyConfirmed", ["ref": .text(registration.ref), "at": .time(registration.activatedAt ?? registration.invitedAt), "status": .term("registrationStatus", registration.status.rawValue)]))
        case .removed, .expired, .cancelled:
            throw refused(Message("registration.ended", ["ref": .text(registration.ref), "status": .term("registrationStatus", registration.status.rawValue), "plate": .text(plate), "staff": .text(staff.name)]))
        }
        guard at >= registration.invitedAt else {
            throw DeskError.invalid(field: "at", reason: Message("input.beforeInvite", ["at": .time(at), "invited": .time(registration.invitedAt)]))
        }
        guard day <= expiresOn else {
            throw DeskError.refusedWith(rule: "R9", reasons: [Message("registration.inviteExpired", ["ref": .text(registration.ref), "expired": .day(expiresOn), "setting": .text("invite.expiryDays"), "plate": .text(plate), "staff": .text(staff.name)])])
        }
        guard staff.licenseValid(on: day) else {
            throw refused(Message("registration.licenceExpired", ["staff": .text(staff.name), "expired": .day(staff.licenseValidUntil)]))
        }
        let others = staffRegistrations.filter { $0.ref != registration.ref }
        let today = others.filter { $0.activatedAt.map { time.civilDate(of: $0) == day } == true }
        if today.count >= limits.newPerDay {
            throw refused(Message("registration.dayFull", ["staff": .text(staff.name), "plates": .names(today.map(\.plate)), "day": .day(day), "limit": .number(limits.newPerDay), "from": .day(day.adding(days: 1))]))
        }
        let year = others.filter { $0.activatedAt.map { time.civilDate(of: $0).year == day.year } == true }
        if year.count >= limits.newPerYear {
            throw refused(Message("registration.yearFull", ["staff": .text(staff.name), "count": .number(year.count), "limit": .number(limits.newPerYear), "year": .number(day.year), "next": .day(CivilDate(year: day.year + 1, month: 1, day: 1)!)]))
        }
        let holding = others.filter { $0.status.holdsSlot }
        if holding.count >= limits.activePerStaff {
            throw refused(Message("registration.staffFull", ["staff": .text(staff.name), "count": .number(holding.count), "limit": .number(limits.activePerStaff), "registrations": .names(list(holding))]))
        }
        let carHolding = vehicleRegistrations.filter { $0.ref != registration.ref && $0.status.holdsSlot }
        if carHolding.count >= limits.driversPerVehicle {
            throw refused(Message("registration.vehicleFull", ["plate": .text(plate), "count": .number(carHolding.count), "limit": .number(limits.driversPerVehicle), "drivers": .names(carHolding.map { "\($0.staffName) \($0.ref)" })]))
        }
    }

    /// Online registration is for non-commercial small cars; SMS also needs the engine number's last 6 characters.
    public static func checkMethod(_ method: RegistrationMethod, vehicle: Vehicle) throws {
        guard method.isOnline else { return }
        if vehicle.usage == .commercial || vehicle.size == .large {
            if vehicle.usage == .commercial { throw refused(Message("registration.commercialOnline", ["plate": .text(vehicle.plate)])) }
            throw refused(Message("registration.largeOnline", ["plate": .text(vehicle.plate)]))
        }
        if method == .sms && vehicle.engineLast6 == nil {
            throw refused(Message("registration.smsNeedsEngine", ["plate": .text(vehicle.plate)]))
        }
    }

    /// "沪F1 INV-…": each registration by its car and reference.
    static func list(_ facts: [RegistrationFact]) -> [String] {
        facts.map { $0.ref.isEmpty ? $0.plate : "\($0.plate) \($0.ref)" }
    }

    static func refused(_ reason: Message) -> DeskError { .refusedWith(rule: "R3", reasons: [reason]) }
}

/// 12123's plate types, which the SMS method asks for.
public enum PlateType {
    /// Chinese and English names, e.g. 小型汽车 / small car.
    public static func names(plate: String, size: VehicleSize) -> (zh: String, en: String) {
        let newEnergy = (try? Plate(plate).kind).map { $0 == .newEnergySmall || $0 == .newEnergyLarge } ?? false
        switch (size, newEnergy) {
        case (.small, false): return ("小型汽车", "small car")
        case (.small, true): return ("小型新能源汽车", "small new-energy car")
        case (.large, false): return ("大型汽车", "large vehicle")
        case (.large, true): return ("大型新能源汽车", "large new-energy vehicle")
        }
    }
}
