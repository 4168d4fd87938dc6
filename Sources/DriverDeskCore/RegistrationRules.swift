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
    ) throws -> [String] {
        guard staff.active else {
            throw DeskError.refused(rule: "R3", message: "\(staff.name) is inactive and does not drive customer cars")
        }
        guard staff.licenseValid(on: today) else {
            throw DeskError.refused(rule: "R3", message: "\(staff.name)'s driving licence expired on \(staff.licenseValidUntil); 12123 registers only a driver whose licence is valid: renew it first, then update it with driverdesk staff")
        }
        try checkMethod(method, vehicle: vehicle)
        if let same = vehicleRegistrations.first(where: { car in car.status.isLive && staffRegistrations.contains { $0.ref == car.ref } }) {
            throw DeskError.refused(rule: "R3", message: "\(staff.name) already has registration \(same.ref) on \(vehicle.plate) (\(same.status.rawValue)); no second one is needed")
        }

        let live = staffRegistrations.filter { $0.status.isLive }
        if live.count >= limits.activePerStaff {
            throw DeskError.refused(rule: "R3", message: "\(staff.name) has \(live.count) of \(limits.activePerStaff) registrations at once (\(list(live))); 12123 allows \(limits.activePerStaff): a slot frees the day one of them is removed: driverdesk register remove REF")
        }
        let carLive = vehicleRegistrations.filter { $0.status.isLive }
        if carLive.count >= limits.driversPerVehicle {
            throw DeskError.refused(rule: "R3", message: "\(vehicle.plate) already has \(carLive.count) of \(limits.driversPerVehicle) non-owner drivers (\(carLive.map { "\($0.staffName) \($0.ref) \($0.status.rawValue)" }.joined(separator: ", "))); a slot frees the day one of them is removed: driverdesk register remove REF")
        }

        let expires = today.adding(days: limits.inviteExpiryDays)
        let yearCount = staffRegistrations.filter { fact in
            fact.status == .invited || fact.activatedAt.map { time.civilDate(of: $0).year == today.year } == true
        }.count
        if yearCount >= limits.newPerYear {
            let nextYear = CivilDate(year: today.year + 1, month: 1, day: 1)!
            if nextYear > expires {
                throw DeskError.refused(rule: "R3", message: "\(staff.name) has \(yearCount) of \(limits.newPerYear) new registrations in \(today.year) (invites pending included); 12123 allows \(limits.newPerYear) a calendar year: the next is possible from \(nextYear)")
            }
            return ["\(staff.name) has used his \(limits.newPerYear) registrations of \(today.year): confirm this invite on or after \(nextYear) (it expires on \(expires))."]
        }
        let activatedToday = staffRegistrations.filter { $0.activatedAt.map { time.civilDate(of: $0) == today } == true }
        if activatedToday.count >= limits.newPerDay {
            return ["\(staff.name) already registered \(activatedToday.map(\.plate).joined(separator: ", ")) today; 12123 allows \(limits.newPerDay) a day: confirm this invite from \(today.adding(days: 1))."]
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
            throw DeskError.refused(rule: "R3", message: "\(registration.ref) was already confirmed on \(registration.activatedAt.map(time.format) ?? "-") (\(registration.status.rawValue))")
        case .removed, .expired, .cancelled:
            throw DeskError.refused(rule: "R3", message: "\(registration.ref) is \(registration.status.rawValue); make a new invite: driverdesk register invite --plate \(plate) --staff \(staff.name)")
        }
        guard at >= registration.invitedAt else {
            throw DeskError.invalid(field: "at", message: "\(time.format(at)) is before the invite was made (\(time.format(registration.invitedAt)))")
        }
        guard day <= expiresOn else {
            throw DeskError.refused(rule: "R9", message: "\(registration.ref) expired on \(expiresOn) (invites wait invite.expiryDays days); make a new invite: driverdesk register invite --plate \(plate) --staff \(staff.name)")
        }
        guard staff.licenseValid(on: day) else {
            throw DeskError.refused(rule: "R3", message: "\(staff.name)'s driving licence expired on \(staff.licenseValidUntil); 12123 registers only a driver whose licence is valid on the day")
        }
        let others = staffRegistrations.filter { $0.ref != registration.ref }
        let today = others.filter { $0.activatedAt.map { time.civilDate(of: $0) == day } == true }
        if today.count >= limits.newPerDay {
            throw DeskError.refused(rule: "R3", message: "\(staff.name) already registered \(today.map(\.plate).joined(separator: ", ")) on \(day); 12123 allows \(limits.newPerDay) new registration a day: confirm from \(day.adding(days: 1))")
        }
        let year = others.filter { $0.activatedAt.map { time.civilDate(of: $0).year == day.year } == true }
        if year.count >= limits.newPerYear {
            throw DeskError.refused(rule: "R3", message: "\(staff.name) has had \(year.count) of \(limits.newPerYear) new registrations in \(day.year); 12123 allows \(limits.newPerYear) a calendar year: the next is possible from \(CivilDate(year: day.year + 1, month: 1, day: 1)!)")
        }
        let holding = others.filter { $0.status.holdsSlot }
        if holding.count >= limits.activePerStaff {
            throw DeskError.refused(rule: "R3", message: "\(staff.name) has \(holding.count) of \(limits.activePerStaff) registrations active (\(list(holding))); a slot frees the day one of them is removed: driverdesk register remove REF")
        }
        let carHolding = vehicleRegistrations.filter { $0.ref != registration.ref && $0.status.holdsSlot }
        if carHolding.count >= limits.driversPerVehicle {
            throw DeskError.refused(rule: "R3", message: "\(plate) already has \(carHolding.count) of \(limits.driversPerVehicle) non-owner drivers (\(carHolding.map { "\($0.staffName) \($0.ref)" }.joined(separator: ", "))); a slot frees the day one of them is removed: driverdesk register remove REF")
        }
    }

    /// Online registration is for non-commercial small cars; SMS also needs the engine number's last 6 characters.
    public static func checkMethod(_ method: RegistrationMethod, vehicle: Vehicle) throws {
        guard method.isOnline else { return }
        if vehicle.usage == .commercial || vehicle.size == .large {
            let why = vehicle.usage == .commercial ? "commercial (营运)" : "a large vehicle"
            throw DeskError.refused(rule: "R3", message: "\(vehicle.plate) is \(why): 12123 registers only non-commercial small cars online; use --method window")
        }
        if method == .sms && vehicle.engineLast6 == nil {
            throw DeskError.refused(rule: "R3", message: "SMS registration needs the last 6 characters of \(vehicle.plate)'s engine number, and none is on file: driverdesk vehicle update --plate \(vehicle.plate) --engine-last6 XXXXXX, or use --method qr")
        }
    }

    static func list(_ facts: [RegistrationFact]) -> String {
        facts.map { "\($0.plate) \($0.ref) \($0.status.rawValue)" }.joined(separator: ", ")
    }
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
