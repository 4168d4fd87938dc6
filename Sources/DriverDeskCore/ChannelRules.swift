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
        registrationMustPrecedeViolation = config.bool(.rulesRegistrationMustPrecedeViolation)
        lateRegistrationDays = config.int(.rulesLateRegistrationDays)
        noSameDayProcessing = config.bool(.rulesNoSameDayProcessing)
        maxFineFen = config.int(.onlineMaxFineYuan) * 100
        pointsBelow = config.int(.onlinePointsBelow)
        cycleMax = config.int(.scoringCycleMax)
    }
}

/// R4's answer: the channel, every rule that decided it, and the first day online processing works.
public struct ChannelDecision: Sendable, Equatable {
    public var channel: Channel
    public var reasons: [Message]
    /// Set when the only obstacle is the day of binding: online works from this day.
    public var onlineFrom: CivilDate?
    /// Online would work once the driver is registered (a registration late enough still counts).
    public var registrationWouldHelp = false

    public init(channel: Channel, reasons: [Message], onlineFrom: CivilDate?, registrationWouldHelp: Bool = false) {
        self.channel = channel
        self.reasons = reasons
        self.onlineFrom = onlineFrom
        self.registrationWouldHelp = registrationWouldHelp
    }
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
        let name = Message.Argument.text(c.driver.name), plate = Message.Argument.text(c.plate)
        if c.points == 0 {
            var reasons = [Message("channel.noPoints")]
            if c.registration?.status.holdsSlot != true {
                reasons.append(Message("channel.noPointsNotRegistered", ["staff": name, "plate": plate]))
            }
            return ChannelDecision(channel: .online, reasons: reasons, onlineFrom: nil)
        }
        var failures: [Message] = []
        var onlineFrom: CivilDate?
        var registrationMissing = false
        let violationDay = time.civilDate(of: c.occurredAt)
        let lateBy = violationDay.adding(days: settings.lateRegistrationDays)

        if let registration = c.registration, registration.status.holdsSlot, let activated = registration.activatedAt {
            let activatedDay = time.civilDate(of: activated)
            if settings.registrationMustPrecedeViolation {
                if activated > c.occurredAt {
                    failures.append(Message("channel.registrationAfterViolation", ["staff": name, "ref": .text(registration.ref), "plate": plate, "activated": .time(activated), "occurred": .time(c.occurredAt), "setting": .text("rules.registrationMustPrecedeViolation")]))
                }
            } else if activatedDay > lateBy {
                failures.append(Message("channel.registrationTooLate", ["staff": name, "ref": .text(registration.ref), "activated": .day(activatedDay), "days": .days(settings.lateRegistrationDays), "occurred": .day(violationDay), "setting": .text("rules.lateRegistrationDays")]))
            }
            if settings.noSameDayProcessing && day == activatedDay {
                onlineFrom = activatedDay.adding(days: 1)
            }
        } else if let registration = c.registration, registration.status == .invited {
            if settings.registrationMustPrecedeViolation {
                failures.append(Message("channel.invitedTooLate", ["staff": name, "ref": .text(registration.ref), "plate": plate, "setting": .text("rules.registrationMustPrecedeViolation")]))
            } else {
                failures.append(Message("channel.invitedConfirmBy", ["staff": name, "ref": .text(registration.ref), "plate": plate, "by": .day(lateBy), "setting": .text("rules.lateRegistrationDays")]))
            }
        } else {
            if settings.registrationMustPrecedeViolation {
                failures.append(Message("channel.notRegistered", ["staff": name, "plate": plate, "setting": .text("rules.registrationMustPrecedeViolation")]))
            } else {
                failures.append(Message("channel.notRegisteredRegisterBy", ["staff": name, "plate": plate, "by": .day(lateBy), "setting": .text("rules.lateRegistrationDays")]))
            }
            registrationMissing = !settings.registrationMustPrecedeViolation && day <= lateBy
        }
        if c.fineFen > settings.maxFineFen {
            failures.append(Message("channel.fineOverLimit", ["fine": .fen(c.fineFen), "limit": .fen(settings.maxFineFen), "setting": .text("online.maxFineYuan")]))
        }
        if c.points >= settings.pointsBelow {
            failures.append(Message("channel.pointsOverLimit", ["points": .number(c.points), "below": .number(settings.pointsBelow), "setting": .text("online.pointsBelow")]))
        }
        if !c.driver.licenseValid(on: day) {
            failures.append(Message("channel.licenceExpired", ["staff": name, "expired": .day(c.driver.licenseValidUntil), "day": .day(day)]))
        }
        if c.pointsThisCycle + c.points >= settings.cycleMax {
            failures.append(Message("channel.cycleFull", ["staff": name, "taken": .number(c.pointsThisCycle), "points": .number(c.points), "total": .number(c.pointsThisCycle + c.points), "max": .number(settings.cycleMax), "setting": .text("scoring.cycleMax")]))
        }
        if failures.isEmpty {
            let registration = c.registration!
            var reasons = [settings.registrationMustPrecedeViolation
                ? Message("channel.online", ["staff": name, "ref": .text(registration.ref), "plate": plate, "fine": .fen(c.fineFen), "points": .number(c.points)])
                : Message("channel.onlineLate", ["staff": name, "ref": .text(registration.ref), "plate": plate, "fine": .fen(c.fineFen), "points": .number(c.points), "days": .days(settings.lateRegistrationDays)])]
            if let onlineFrom {
                reasons.append(Message("channel.notOnBindingDay", ["from": .day(onlineFrom), "setting": .text("rules.noSameDayProcessing")]))
            }
            return ChannelDecision(channel: .online, reasons: reasons, onlineFrom: onlineFrom)
        }
        return ChannelDecision(channel: .window, reasons: failures + [Message("channel.windowDocuments", ["staff": name])], onlineFrom: nil,
                               registrationWouldHelp: registrationMissing && failures.count == 1)
    }
}

/// R5: 12123 flags a driver handling 3+ non-owned plates in a year, and a plate handled by 3+ drivers.
public enum ProxyWatch {
    /// The start of the year R5 looks back over from `at`: 365 days.
    public static func windowStart(_ at: Date) -> Date { at.addingTimeInterval(-365 * 86_400) }

    /// Warnings for processing one more violation: distinct plates of the driver and drivers of the plate in the year before.
    public static func warnings(driver: String, plate: String, driverPlates: Set<String>, plateDrivers: Set<String>,
                                platesLimit: Int, driversLimit: Int) -> [Message] {
        var warnings: [Message] = []
        let plates = driverPlates.union([plate])
        if plates.count >= platesLimit {
            warnings.append(Message("proxy.driverPlates", ["staff": .text(driver), "count": .number(plates.count), "plates": .names(plates.sorted()), "limit": .number(platesLimit)]))
        }
        let drivers = plateDrivers.union([driver])
        if drivers.count >= driversLimit {
            warnings.append(Message("proxy.plateDrivers", ["plate": .text(plate), "count": .number(drivers.count), "drivers": .names(drivers.sorted()), "limit": .number(driversLimit)]))
        }
        return warnings
    }
}
