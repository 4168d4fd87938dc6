import Foundation

/// The R4 settings, from the shop's configuration.
public struct ChannelSettings: Sendable, Equatable {
    public var registrationMustPrecedeViolation = true
    public var lateRegistrationDays = 7
    public var noSameDayProcessing = true
    public var maxFineFen = 20_000
    public var pointsBelow = 9
    public var cycleMax = 12

    public init() {}

    public init(_ config: Config) {
        registrationMustPrecedeViolation = config.bool("rules.registrationMustPrecedeViolation")
        lateRegistrationDays = config.int("rules.lateRegistrationDays")
        noSameDayProcessing = config.bool("rules.noSameDayProcessing")
        maxFineFen = config.int("online.maxFineYuan") * 100
        pointsBelow = config.int("online.pointsBelow")
        cycleMax = config.int("scoring.cycleMax")
    }
}

/// R4's answer: the channel, every rule that decided it, and the first day online processing works.
public struct ChannelDecision: Sendable, Equatable {
    public var channel: Channel
    public var reasons: [String]
    /// Set when the only obstacle is the day of binding: online works from this day.
    public var onlineFrom: CivilDate?
    /// Online would work once the driver is registered (a registration late enough still counts).
    public var registrationWouldHelp = false
}

/// What R4 needs to know about a violation, its driver and his registration on the car.
public struct ChannelCase: Sendable {
    public var plate: String
    public var occurredAt: Date
    public var points: Int
    public var fineFen: Int
    public var driver: Staff
    /// The driver's registration on this car that is (or was) in 12123, if any.
    public var registration: RegistrationFact?
    /// Points already taken in the driver's scoring cycle on the processing day.
    public var pointsThisCycle: Int

    public init(plate: String, occurredAt: Date, points: Int, fineFen: Int, driver: Staff, registration: RegistrationFact?, pointsThisCycle: Int) {
        self.plate = plate
        self.occurredAt = occurredAt
        self.points = points
        self.fineFen = fineFen
        self.driver = driver
        self.registration = registration
        self.pointsThisCycle = pointsThisCycle
    }
}

public enum ChannelRules {
    /// R4 for processing on `day`: online only when every rule holds, else the window, with every failing rule listed.
    public static func decide(_ c: ChannelCase, processingOn day: CivilDate, settings: ChannelSettings, time: ShopTime) -> ChannelDecision {
        let name = c.driver.name
        if c.points == 0 {
            var reasons = ["0 points: a registered driver can handle it online in 12123 at any time, or the owner can simply pay it."]
            if c.registration?.status.holdsSlot != true {
                reasons.append("\(name) has no active registration on \(c.plate): the owner pays it in his own 12123, or register \(name) first.")
            }
            return ChannelDecision(channel: .online, reasons: reasons, onlineFrom: nil)
        }
        var failures: [String] = []
        var onlineFrom: CivilDate?
        var registrationMissing = false
        let violationDay = time.civilDate(of: c.occurredAt)

        if let registration = c.registration, registration.status.holdsSlot, let activated = registration.activatedAt {
            let activatedDay = time.civilDate(of: activated)
            if settings.registrationMustPrecedeViolation {
                if activated > c.occurredAt {
                    failures.append("\(name)'s registration \(registration.ref) on \(c.plate) was activated on \(time.format(activated)), after the violation (\(time.format(c.occurredAt))); 12123 lets a non-owner take points online only for violations after the registration (rules.registrationMustPrecedeViolation).")
                }
            } else if activatedDay > violationDay.adding(days: settings.lateRegistrationDays) {
                failures.append("\(name)'s registration \(registration.ref) was activated on \(activatedDay), more than \(settings.lateRegistrationDays) days after the violation on \(violationDay) (rules.lateRegistrationDays).")
            }
            if settings.noSameDayProcessing && day == activatedDay {
                onlineFrom = activatedDay.adding(days: 1)
            }
        } else if let registration = c.registration, registration.status == .invited {
            failures.append("\(name)'s registration \(registration.ref) on \(c.plate) is not confirmed yet; \(settings.registrationMustPrecedeViolation ? "and a registration made after the violation does not count online (rules.registrationMustPrecedeViolation)" : "confirm it within \(settings.lateRegistrationDays) days of the violation").")
        } else {
            let after = settings.registrationMustPrecedeViolation
                ? "a registration made now would come after the violation, which 12123 does not accept online (rules.registrationMustPrecedeViolation)"
                : "registering within \(settings.lateRegistrationDays) days of the violation (by \(violationDay.adding(days: settings.lateRegistrationDays))) would allow it online: driverdesk register invite --plate \(c.plate) --staff \(name)"
            failures.append("\(name) has no active registration on \(c.plate); \(after).")
            registrationMissing = !settings.registrationMustPrecedeViolation && day <= violationDay.adding(days: settings.lateRegistrationDays)
        }
        if c.fineFen > settings.maxFineFen {
            failures.append("The fine of \(Money.yuan(c.fineFen)) yuan is over the \(Money.yuan(settings.maxFineFen)) yuan of the simplified online procedure.")
        }
        if c.points >= settings.pointsBelow {
            failures.append("\(c.points) points: the simplified online procedure takes fewer than \(settings.pointsBelow).")
        }
        if !c.driver.licenseValid(on: day) {
            failures.append("\(name)'s driving licence expired on \(c.driver.licenseValidUntil); it must be valid on the processing day (\(day)).")
        }
        if c.pointsThisCycle + c.points >= settings.cycleMax {
            failures.append("\(name) has \(c.pointsThisCycle) points in this scoring cycle; \(c.points) more would reach \(c.pointsThisCycle + c.points) of \(settings.cycleMax).")
        }
        if failures.isEmpty {
            var reasons = ["\(name)'s registration \(c.registration!.ref) on \(c.plate) was active before the violation, the fine (\(Money.yuan(c.fineFen)) yuan) and points (\(c.points)) are within the simplified procedure, and his licence and points allow it: online in 12123."]
            if let onlineFrom {
                reasons.append("Not on the day of binding (rules.noSameDayProcessing): online from \(onlineFrom).")
            }
            return ChannelDecision(channel: .online, reasons: reasons, onlineFrom: onlineFrom)
        }
        let documents = "\(name) brings his driving licence and ID card, and the owner's vehicle licence (行驶证), to a traffic police window."
        return ChannelDecision(channel: .window, reasons: failures + [documents], onlineFrom: nil,
                               registrationWouldHelp: registrationMissing && failures.count == 1)
    }
}

/// R5: 12123 flags a driver handling 3+ non-owned plates in a year, and a plate handled by 3+ drivers.
public enum ProxyWatch {
    /// Warnings for processing one more violation: distinct plates of the driver and drivers of the plate in the year before.
    public static func warnings(driver: String, plate: String, driverPlates: Set<String>, plateDrivers: Set<String>,
                                platesLimit: Int, driversLimit: Int) -> [String] {
        var warnings: [String] = []
        let plates = driverPlates.union([plate])
        if plates.count >= platesLimit {
            warnings.append("PROXY WATCH (R5): \(driver) will have handled violations of \(plates.count) non-owned plates within a year (\(plates.sorted().joined(separator: ", "))); 12123 flags \(platesLimit) or more as suspected proxy point-taking and may block him.")
        }
        let drivers = plateDrivers.union([driver])
        if drivers.count >= driversLimit {
            warnings.append("PROXY WATCH (R5): \(plate) will have had violations handled by \(drivers.count) drivers within a year (\(drivers.sorted().joined(separator: ", "))); 12123 flags \(driversLimit) or more.")
        }
        return warnings
    }
}
