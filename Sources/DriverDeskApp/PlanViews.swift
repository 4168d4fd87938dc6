import DriverDeskCore
import Foundation

/// The answer of a plan at check-in (`visit checkin --plan`, the web's check-in, `/vehicles/{plate}/plan`): who can be
/// registered on the car now for the purposes planned, best first, who cannot be and why, who needs none (R3, R13).
public struct PlanView: Codable, Equatable, Sendable {
    public var plate: String
    public var plan: [String]
    /// The method the invites would use: online where 12123 allows it for the car, else the window.
    public var method: String
    /// Non-owner drivers the car may still take (`limits.driversPerVehicle` less its live registrations and invites).
    public var driversLeft: Int
    public var suggestedDrivers: [SuggestedDriverView]
    public var cannotRegister: [PlanRefusalView]
    public var alreadyRegistered: [PlanRegisteredView]

    init(plate: String, answer: RegistrationPlan.Answer, catalogue: Catalogue, time: ShopTime) {
        self.plate = plate
        plan = answer.purposes.map(\.rawValue)
        method = answer.method.rawValue
        driversLeft = answer.driversLeft
        suggestedDrivers = answer.suggested.map { s in
            SuggestedDriverView(staff: s.staff.ref, reasons: catalogue.render(s.reasons, time: time), reasonCodes: s.reasons.map(\.code),
                                activeLeft: s.activeLeft, yearLeft: s.yearLeft, todayLeft: s.todayLeft, licenseClass: s.staff.licenseClass.rawValue,
                                licenceFits: s.licence == .covers, onShift: s.onShift)
        }
        cannotRegister = answer.cannotRegister.map { r in
            PlanRefusalView(staff: r.staff.ref, rules: r.rules, reasons: catalogue.render(r.reasons, time: time), reasonCodes: r.reasons.map(\.code))
        }
        alreadyRegistered = answer.alreadyRegistered.map { r in
            PlanRegisteredView(staff: r.staff.ref, ref: r.ref, status: r.status.rawValue, reasons: [catalogue.render(r.reason, time: time)], reasonCodes: [r.reason.code])
        }
    }
}

/// A staff member the plan suggests registering, with the figures it ranked him by and its reasons.
public struct SuggestedDriverView: Codable, Equatable, Sendable {
    public var staff: StaffRef
    public var reasons: [String]
    public var reasonCodes: [String]
    /// Active registrations he may still hold (waiting invites count as taken).
    public var activeLeft: Int
    /// New registrations left this calendar year (waiting invites count as taken).
    public var yearLeft: Int
    /// New registrations left today: 0 means the invite is confirmed from tomorrow.
    public var todayLeft: Int
    public var licenseClass: String
    /// Whether his class covers the car outright (false: automatic gearboxes only, a warning among the reasons).
    public var licenceFits: Bool
    /// Drove a car or logged in today.
    public var onShift: Bool
}

/// A staff member who cannot be registered on the car now, and why.
public struct PlanRefusalView: Codable, Equatable, Sendable {
    public var staff: StaffRef
    public var rules: [String]
    public var reasons: [String]
    public var reasonCodes: [String]
}

/// A staff member who already has a registration or an invite on the car: he needs none.
public struct PlanRegisteredView: Codable, Equatable, Sendable {
    public var staff: StaffRef
    public var ref: String
    public var status: String
    public var reasons: [String]
    public var reasonCodes: [String]
}

/// What `visit checkin` answers: the visit (its keys as ever, and `plan`), and with a plan the answer's keys beside
/// them; with `--invite` also `invite` (the invite made).
public struct CheckinView: Encodable, Sendable {
    public var visit: VisitView
    public var answer: PlanView?
    /// Whether an invite was asked for (`--invite`, `--staff`): then `invite` is printed.
    public var inviteAsked = false
    public var invite: InviteView?

    public init(visit: VisitView, answer: PlanView?) {
        self.visit = visit
        self.answer = answer
    }

    enum Keys: String, CodingKey { case method, driversLeft, suggestedDrivers, cannotRegister, alreadyRegistered, invite }

    public func encode(to encoder: any Encoder) throws {
        try visit.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        if let answer {
            try container.encode(answer.method, forKey: .method)
            try container.encode(answer.driversLeft, forKey: .driversLeft)
            try container.encode(answer.suggestedDrivers, forKey: .suggestedDrivers)
            try container.encode(answer.cannotRegister, forKey: .cannotRegister)
            try container.encode(answer.alreadyRegistered, forKey: .alreadyRegistered)
        }
        if inviteAsked {
            try container.encodeIfPresent(invite, forKey: .invite)
        }
    }
}

/// A car in the shop planned for a road test that no registered driver may take yet (`status`, the dashboard).
public struct PlannedRoadTestView: Codable, Equatable, Sendable {
    public var plate: String
    public var owner: String
    public var visitId: Int64
    public var since: String
    public var plan: [String]
    /// The driver the plan suggests inviting first, or null when nobody can be registered on the car now.
    public var suggestedDriver: StaffRef?
}
