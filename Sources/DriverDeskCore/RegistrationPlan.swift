import Foundation

/// Registrations planned at check-in (R3 and R13): for the purposes a car is checked in for, who can be registered on
/// it now, whom to suggest first and why, who cannot be and why, and who needs none because he already has one.
///
/// The owner is at the desk only at check-in and check-out, and a registration made after a violation with points
/// does not help it (R4): so the plan asks for the invites while the owner is there.
public enum RegistrationPlan {
    /// One staff member as the plan sees him: his registrations (the live ones and this year's, across the chain, as
    /// `register invite` reads them) and whether he is on shift today (drove a car or logged in today: the shop keeps
    /// no roster, so this is what it knows of who is here).
    public struct Candidate: Sendable, Equatable {
        public var staff: Staff
        public var registrations: [RegistrationFact]
        public var onShift: Bool

        public init(staff: Staff, registrations: [RegistrationFact], onShift: Bool) {
            self.staff = staff
            self.registrations = registrations
            self.onShift = onShift
        }
    }

    /// A staff member who can be invited now, with the slot figures the ranking used and the reasons in words.
    public struct Suggestion: Sendable, Equatable {
        public var staff: Staff
        /// Why he is suggested, and anything to know (an automatic-only licence, an invite to confirm only tomorrow).
        public var reasons: [Message]
        /// Active registrations he may still hold (invites waiting count as taken, as R3 counts them at the invite).
        public var activeLeft: Int
        /// New registrations left this calendar year (invites waiting count as taken).
        public var yearLeft: Int
        /// New registrations left today: 0 means the invite can be confirmed from tomorrow.
        public var todayLeft: Int
        /// Whether his class covers the car outright (`.covers`) or only for automatic gearboxes (`.automaticOnly`).
        public var licence: DrivingRules.Cover
        public var onShift: Bool
    }

    /// A staff member who cannot be registered on the car now: the rules that say so and their reasons.
    public struct Refusal: Sendable, Equatable {
        public var staff: Staff
        public var rules: [String]
        public var reasons: [Message]
    }

    /// A staff member who already has a live registration (or invite) on the car: he needs none.
    public struct Registered: Sendable, Equatable {
        public var staff: Staff
        public var ref: String
        public var status: RegistrationStatus
        /// Why he needs none, in words.
        public var reason: Message
    }

    /// The whole answer: suggestions best first, refusals and those already registered by name.
    public struct Answer: Sendable, Equatable {
        public var purposes: [MovementPurpose]
        /// The method the invites use: online where 12123 allows it for the car, else the window (R3).
        public var method: RegistrationMethod
        public var suggested: [Suggestion]
        public var cannotRegister: [Refusal]
        public var alreadyRegistered: [Registered]
        /// Non-owner drivers the car may still take (`limits.driversPerVehicle` less its live registrations).
        public var driversLeft: Int
    }

    /// Ranks who can be registered on `vehicle` on `today` for `purposes`.
    ///
    /// Each candidate goes through the checks `register invite` makes (`RegistrationRules.checkInvite`, R3) and, for
    /// every planned purpose, R13 (`DrivingRules.check`): refused by either, he is listed with every reason. Those left
    /// are ranked, best first, by: on shift (someone here today can take the car now); a licence that covers the car
    /// outright before an automatic-only one; an invite that can be confirmed today (his daily slot free); most
    /// active slots left; most of the year's slots left; then by name, so that equal figures give a stable order.
    public static func suggest(vehicle: Vehicle, purposes: [MovementPurpose], candidates: [Candidate],
                               vehicleRegistrations: [RegistrationFact], today: CivilDate, limits: RegistrationLimits,
                               checkedPurposes: Set<MovementPurpose>, time: ShopTime) -> Answer {
        let method = RegistrationRules.defaultMethod(for: vehicle)
        let carLive = vehicleRegistrations.filter { $0.status.isLive }
        var suggested: [Suggestion] = []
        var refused: [Refusal] = []
        var registered: [Registered] = []
        for candidate in candidates {
            let staff = candidate.staff
            if let same = carLive.first(where: { car in candidate.registrations.contains { $0.ref == car.ref } }) {
                let reason = Message("plan.alreadyRegistered", ["staff": .text(staff.name), "plate": .text(vehicle.plate), "ref": .text(same.ref), "status": .term("registrationStatus", same.status.rawValue)])
                registered.append(Registered(staff: staff, ref: same.ref, status: same.status, reason: reason))
                continue
            }
            var rules: [String] = []
            var reasons: [Message] = []
            var warnings: [Message] = []
            do {
                warnings += try RegistrationRules.checkInvite(
                    method: method, vehicle: vehicle, staff: staff, staffRegistrations: candidate.registrations,
                    vehicleRegistrations: vehicleRegistrations, today: today, limits: limits, time: time)
            } catch DeskError.refusedWith(let rule, let why) {
                rules.append(rule)
                reasons += why
            } catch {
                rules.append("R3")
                reasons.append(Message("plan.notChecked", ["staff": .text(staff.name)]))
            }
            var licenceWarnings: [Message] = []
            for purpose in purposes {
                do {
                    licenceWarnings += try DrivingRules.check(driver: staff, plate: vehicle.plate, size: vehicle.size, purpose: purpose,
                                                             day: today, checkedPurposes: checkedPurposes)
                } catch DeskError.refusedWith(let rule, let why) {
                    if !rules.contains(rule) { rules.append(rule) }
                    // An expired licence is said once: R3's words already name it when R3 refused on it.
                    let said = Set(reasons.map(\.code))
                    reasons += why.filter { !(said.contains("registration.licenceExpired") && $0.code == "driving.licenceExpired") && !reasons.contains($0) }
                } catch {
                    rules.append("R13")
                }
            }
            guard rules.isEmpty else {
                refused.append(Refusal(staff: staff, rules: rules, reasons: reasons))
                continue
            }
            let slots = RegistrationRules.slots(candidate.registrations, on: today, limits: limits, time: time)
            let live = candidate.registrations.filter { $0.status.isLive }.count
            let yearTaken = candidate.registrations.filter { fact in
                fact.status == .invited || fact.activatedAt.map { time.civilDate(of: $0).year == today.year } == true
            }.count
            let activeLeft = max(0, limits.activePerStaff - live)
            let yearLeft = max(0, limits.newPerYear - yearTaken)
            let todayLeft = max(0, limits.newPerDay - slots.today)
            let cover = DrivingRules.cover(staff.licenseClass, size: vehicle.size)
            var why = [Message("plan.slotsLeft", ["staff": .text(staff.name), "active": .number(activeLeft), "activeLimit": .number(limits.activePerStaff), "year": .number(yearLeft), "yearLimit": .number(limits.newPerYear), "yearNumber": .number(today.year)])]
            if cover == .covers {
                why.append(Message("plan.licenceFits", ["staff": .text(staff.name), "class": .text(staff.licenseClass.rawValue), "plate": .text(vehicle.plate), "until": .day(staff.licenseValidUntil)]))
            }
            if candidate.onShift {
                why.append(Message("plan.onShift", ["staff": .text(staff.name)]))
            } else {
                why.append(Message("plan.notOnShift", ["staff": .text(staff.name)]))
            }
            // Warnings of an unchecked purpose repeat per purpose; each is said once.
            for warning in warnings + licenceWarnings where !why.contains(warning) { why.append(warning) }
            suggested.append(Suggestion(staff: staff, reasons: why, activeLeft: activeLeft, yearLeft: yearLeft, todayLeft: todayLeft,
                                        licence: cover, onShift: candidate.onShift))
        }
        suggested.sort(by: ranksBefore)
        return Answer(purposes: purposes, method: method, suggested: suggested, cannotRegister: refused, alreadyRegistered: registered,
                      driversLeft: max(0, limits.driversPerVehicle - carLive.count))
    }

    /// The ranking of `suggest`: on shift, licence covers outright, confirmable today, active slots, year slots, name.
    static func ranksBefore(_ a: Suggestion, _ b: Suggestion) -> Bool {
        if a.onShift != b.onShift { return a.onShift }
        if (a.licence == .covers) != (b.licence == .covers) { return a.licence == .covers }
        if (a.todayLeft > 0) != (b.todayLeft > 0) { return a.todayLeft > 0 }
        if a.activeLeft != b.activeLeft { return a.activeLeft > b.activeLeft }
        if a.yearLeft != b.yearLeft { return a.yearLeft > b.yearLeft }
        if a.staff.name != b.staff.name { return a.staff.name < b.staff.name }
        return (a.staff.id ?? 0) < (b.staff.id ?? 0)
    }

    /// Whether a car planned for a road test still needs a driver: none of its active registrations is of a driver
    /// who may take it on the road test on `day` (active staff whom R13 lets drive it). Only a road test calls for it:
    /// the car leaves the premises, where the cameras are.
    public static func needsDriver(purposes: [MovementPurpose], vehicle: Vehicle, registeredDrivers: [(staff: Staff, status: RegistrationStatus)],
                                   day: CivilDate, checkedPurposes: Set<MovementPurpose>) -> Bool {
        guard purposes.contains(.roadTest) else { return false }
        return !registeredDrivers.contains { driver in
            driver.status == .active && driver.staff.active
                && (try? DrivingRules.check(driver: driver.staff, plate: vehicle.plate, size: vehicle.size, purpose: .roadTest, day: day,
                                            checkedPurposes: checkedPurposes)) != nil
        }
    }

    /// The purposes typed for a plan: each `--plan` may hold several, comma-separated; repeats are dropped, the
    /// order kept.
    public static func purposes(_ raw: [String], field: String = "plan") throws -> [MovementPurpose] {
        var purposes: [MovementPurpose] = []
        for item in raw.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }) {
            let trimmed = item.trimmingSpaces()
            guard !trimmed.isEmpty else {
                throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(item), "options": .names(MovementPurpose.allCases.map(\.rawValue))]))
            }
            let purpose = try MovementPurpose(parsing: trimmed, field: field)
            if !purposes.contains(purpose) { purposes.append(purpose) }
        }
        return purposes
    }
}
