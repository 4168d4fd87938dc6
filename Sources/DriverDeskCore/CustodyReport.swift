import Foundation

/// The car's odometer and fuel gauge as the desk read them at check-in and check-out (both optional).
public struct VisitReadings: Codable, Equatable, Sendable {
    /// Kilometres on the odometer: a whole number, 0 to 9,999,999.
    public var odometerIn: Int?
    public var odometerOut: Int?
    /// The fuel gauge in percent, 0 to 100.
    public var fuelIn: Int?
    public var fuelOut: Int?

    public init(odometerIn: Int? = nil, odometerOut: Int? = nil, fuelIn: Int? = nil, fuelOut: Int? = nil) {
        self.odometerIn = odometerIn
        self.odometerOut = odometerOut
        self.fuelIn = fuelIn
        self.fuelOut = fuelOut
    }
}

/// What the km check (R14) found for one visit: how far the car went, how long it was driven, and how much of the
/// distance its movements cannot explain, with the reasons as values.
public struct KmCheck: Equatable, Sendable {
    /// Odometer out minus odometer in; nil when either reading is missing.
    public var kmDriven: Int?
    /// The minutes of the visit's movements (a movement still in progress counts up to `until`).
    public var minutesDriven: Int
    /// `kmPerMovementMinute` × minutes driven + `kmSlack`: the distance the movements can account for.
    public var kmExplained: Double
    /// The km driven beyond what is explained (whole km, rounded down); 0 when all is explained, nil without both readings.
    public var unexplainedKm: Int?
    public var reasons: [Message]

    /// Whether the manager should look at this visit.
    public var isFlagged: Bool { (unexplainedKm ?? 0) > 0 }
}

/// R14 Custody report: the km a car was driven in the shop's custody, checked against the minutes its movements
/// took. Pure: the readings, the movements and the settings in, the decision out.
public enum CustodyReportRules {
    /// The highest odometer reading accepted (7 digits, as car odometers show).
    public static let maxOdometer = 9_999_999

    /// `--odometer KM`: a whole number of km, 0 to 9,999,999; nil when nothing was typed.
    public static func odometer(_ raw: String?, field: String = "odometer") throws -> Int? {
        guard let text = raw?.trimmingSpaces(), !text.isEmpty else { return nil }
        let digits = text.replacingOccurrences(of: ",", with: "")
        guard digits.count <= 7, digits.allSatisfy(\.isASCIIDigit), let km = Int(digits), km <= maxOdometer else {
            throw DeskError.invalid(field: field, reason: Message("input.odometer", ["raw": .text(String(text.prefix(40))), "max": .number(maxOdometer)]))
        }
        return km
    }

    /// `--fuel 0-100`: the fuel gauge in percent (a trailing `%` is allowed); nil when nothing was typed.
    public static func fuel(_ raw: String?, field: String = "fuel") throws -> Int? {
        guard let text = raw?.trimmingSpaces(), !text.isEmpty else { return nil }
        let digits = text.hasSuffix("%") ? String(text.dropLast()).trimmingSpaces() : text
        guard digits.count <= 3, !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let percent = Int(digits), percent <= 100 else {
            throw DeskError.invalid(field: field, reason: Message("input.fuel", ["raw": .text(String(text.prefix(40)))]))
        }
        return percent
    }

    /// An odometer never runs backwards: the reading at check-out must not be lower than the one at check-in.
    /// Refused as bad input (exit 2) naming `field`, with both readings.
    public static func checkOdometer(in odometerIn: Int?, out odometerOut: Int?, field: String = "odometer") throws {
        guard let odometerIn, let odometerOut, odometerOut < odometerIn else { return }
        throw DeskError.invalid(field: field, reason: Message("input.odometer.belowCheckin", ["in": .number(odometerIn), "out": .number(odometerOut)]))
    }

    /// The minutes a movement took, as the movement lists show them (rounded to the minute); one in progress up to `until`.
    public static func minutes(of movement: MovementSpan, until: Date) -> Int {
        let end = movement.end ?? max(until, movement.start)
        return Int((end.timeIntervalSince(movement.start) / 60).rounded())
    }

    /// The km check of one visit: the km driven against `kmPerMinute` × the minutes its movements took, plus `kmSlack`
    /// (a car moved around the yard without a movement being recorded).
    public static func check(readings: VisitReadings, movements: [MovementSpan], until: Date, kmPerMinute: Double, kmSlack: Int) -> KmCheck {
        let minutes = movements.reduce(0) { $0 + Self.minutes(of: $1, until: until) }
        let explained = kmPerMinute * Double(minutes) + Double(kmSlack)
        let explainedText = format(explained)
        guard let odometerIn = readings.odometerIn, let odometerOut = readings.odometerOut else {
            let reason = readings.odometerIn == nil && readings.odometerOut == nil ? Message("custody.noReadings")
                : readings.odometerIn == nil ? Message("custody.noCheckinReading") : Message("custody.noCheckoutReading")
            return KmCheck(kmDriven: nil, minutesDriven: minutes, kmExplained: explained, unexplainedKm: nil, reasons: [reason])
        }
        let driven = odometerOut - odometerIn
        let beyond = Double(driven) - explained
        let unexplained = beyond > 0 ? Int(beyond.rounded(.down)) : 0
        var reasons = [Message("custody.kmDriven", ["km": .number(driven), "from": .number(odometerIn), "to": .number(odometerOut)]),
                       Message("custody.kmExplained", ["explained": .text(explainedText), "minutes": .minutes(minutes), "rate": .text(format(kmPerMinute)), "slack": .number(kmSlack)])]
        if unexplained > 0 {
            reasons.append(Message("custody.kmUnexplained", ["km": .number(unexplained)]))
        } else {
            reasons.append(Message("custody.kmAllExplained"))
        }
        return KmCheck(kmDriven: driven, minutesDriven: minutes, kmExplained: explained, unexplainedKm: unexplained, reasons: reasons)
    }

    /// `1`, `1.5`, `0.25`: a decimal as people write it (no trailing zeros, at most two places).
    public static func format(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        if hundredths.truncatingRemainder(dividingBy: 100) == 0 { return String(Int(hundredths / 100)) }
        if hundredths.truncatingRemainder(dividingBy: 10) == 0 { return String(format: "%.1f", hundredths / 100) }
        return String(format: "%.2f", hundredths / 100)
    }
}

/// `visit edit`: the readings a person corrects; nil leaves one as it is, `.some(nil)` clears it (`none`).
public struct ReadingsChange: Equatable, Sendable {
    public var odometerIn: Int??
    public var odometerOut: Int??
    public var fuelIn: Int??
    public var fuelOut: Int??

    public init(odometerIn: Int?? = nil, odometerOut: Int?? = nil, fuelIn: Int?? = nil, fuelOut: Int?? = nil) {
        self.odometerIn = odometerIn
        self.odometerOut = odometerOut
        self.fuelIn = fuelIn
        self.fuelOut = fuelOut
    }

    public var isEmpty: Bool { odometerIn == nil && odometerOut == nil && fuelIn == nil && fuelOut == nil }
}

extension CustodyReportRules {
    /// A corrected reading as typed: `none` (or `-`) clears it, else `parse` reads it; nil when not given.
    public static func correction(_ raw: String?, field: String, parse: (String?, String) throws -> Int?) throws -> Int?? {
        guard let raw else { return nil }
        let text = raw.trimmingSpaces().lowercased()
        if text == "none" || text == "-" { return .some(nil) }
        guard let value = try parse(raw, field) else {
            throw DeskError.invalid(field: field, reason: Message("input.reading.empty"))
        }
        return .some(value)
    }

    /// The readings after a correction: only what was given changes; a visit still open has no check-out readings;
    /// the odometer still never runs backwards (the field named is the one corrected).
    public static func corrected(_ readings: VisitReadings, change: ReadingsChange, visitOpen: Bool) throws -> VisitReadings {
        guard !change.isEmpty else { throw DeskError.invalid(field: "odometer-in", reason: Message("input.reading.nothing")) }
        if visitOpen, (change.odometerOut ?? nil) != nil || (change.fuelOut ?? nil) != nil {
            throw DeskError.invalid(field: (change.odometerOut ?? nil) != nil ? "odometer-out" : "fuel-out", reason: Message("input.reading.stillInShop"))
        }
        var next = readings
        if let value = change.odometerIn { next.odometerIn = value }
        if let value = change.odometerOut { next.odometerOut = value }
        if let value = change.fuelIn { next.fuelIn = value }
        if let value = change.fuelOut { next.fuelOut = value }
        guard next != readings else { throw DeskError.invalid(field: "odometer-in", reason: Message("input.reading.nothing")) }
        try checkOdometer(in: next.odometerIn, out: next.odometerOut, field: change.odometerOut != nil ? "odometer-out" : "odometer-in")
        return next
    }
}
