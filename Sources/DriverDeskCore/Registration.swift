import Foundation

/// How the owner lets a staff member register the car in 12123 (R3).
public enum RegistrationMethod: String, CaseIterable, Codable, Sendable {
    case qr, sms, window

    public init(parsing raw: String, field: String = "method") throws {
        guard let value = RegistrationMethod(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(RegistrationMethod.allCases.map(\.rawValue))]))
        }
        self = value
    }

    public var isOnline: Bool { self != .window }
}

/// Where a registration is in its life: invited → active → removalDue → removed; or expired, cancelled.
public enum RegistrationStatus: String, CaseIterable, Codable, Sendable {
    case invited, active, removalDue, removed, expired, cancelled

    public init(parsing raw: String, field: String = "status") throws {
        guard let value = RegistrationStatus.allCases.first(where: { $0.rawValue.lowercased() == raw.trimmingSpaces().lowercased() }) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(RegistrationStatus.allCases.map(\.rawValue))]))
        }
        self = value
    }

    /// Registered in 12123 now: it takes one of the staff member's and the car's slots until removed.
    public var holdsSlot: Bool { self == .active || self == .removalDue }
    /// Not yet finished: an invite waiting, or a registration still in 12123.
    public var isLive: Bool { self == .invited || holdsSlot }
}

/// A 12123 non-owner registration of one staff member on one vehicle, and its dates.
public struct Registration: Codable, Equatable, Sendable {
    public var id: Int64?
    public var ref: String
    public var vehicleId: Int64
    public var staffId: Int64
    public var method: RegistrationMethod
    public var status: RegistrationStatus
    public var invitedAt: Date
    public var activatedAt: Date?
    public var removalDueAt: Date?
    public var removedAt: Date?
    public var expiredAt: Date?
    public var cancelledAt: Date?

    public init(id: Int64? = nil, ref: String, vehicleId: Int64, staffId: Int64, method: RegistrationMethod, status: RegistrationStatus = .invited,
                invitedAt: Date, activatedAt: Date? = nil, removalDueAt: Date? = nil, removedAt: Date? = nil, expiredAt: Date? = nil, cancelledAt: Date? = nil) {
        self.id = id
        self.ref = ref
        self.vehicleId = vehicleId
        self.staffId = staffId
        self.method = method
        self.status = status
        self.invitedAt = invitedAt
        self.activatedAt = activatedAt
        self.removalDueAt = removalDueAt
        self.removedAt = removedAt
        self.expiredAt = expiredAt
        self.cancelledAt = cancelledAt
    }
}

/// A registration as the limits see it: whose, on which car, where in its life, when it began.
public struct RegistrationFact: Sendable, Equatable {
    public var ref: String
    public var plate: String
    public var staffName: String
    public var status: RegistrationStatus
    public var invitedAt: Date
    public var activatedAt: Date?

    public init(ref: String, plate: String, staffName: String, status: RegistrationStatus, invitedAt: Date, activatedAt: Date?) {
        self.ref = ref
        self.plate = plate
        self.staffName = staffName
        self.status = status
        self.invitedAt = invitedAt
        self.activatedAt = activatedAt
    }
}

/// The 12123 limits of R3, from the shop's settings.
public struct RegistrationLimits: Sendable, Equatable {
    public var activePerStaff: Int
    public var newPerDay: Int
    public var newPerYear: Int
    public var driversPerVehicle: Int
    public var inviteExpiryDays: Int

    public init(activePerStaff: Int = 3, newPerDay: Int = 1, newPerYear: Int = 5, driversPerVehicle: Int = 3, inviteExpiryDays: Int = 7) {
        self.activePerStaff = activePerStaff
        self.newPerDay = newPerDay
        self.newPerYear = newPerYear
        self.driversPerVehicle = driversPerVehicle
        self.inviteExpiryDays = inviteExpiryDays
    }

    public init(_ config: Config) {
        self.init(activePerStaff: config.int(.limitsActivePerStaff), newPerDay: config.int(.limitsNewPerDay),
                  newPerYear: config.int(.limitsNewPerYear), driversPerVehicle: config.int(.limitsDriversPerVehicle),
                  inviteExpiryDays: config.int(.inviteExpiryDays))
    }
}

/// A staff member's registration slots (R3): how many of each limit are used. The catalogue words it.
public struct SlotSummary: Codable, Equatable, Sendable {
    public var active: Int
    public var activeLimit: Int
    public var pending: Int
    public var thisYear: Int
    public var yearLimit: Int
    public var today: Int
    public var dayLimit: Int

    public init(active: Int, activeLimit: Int, pending: Int, thisYear: Int, yearLimit: Int, today: Int, dayLimit: Int) {
        self.active = active
        self.activeLimit = activeLimit
        self.pending = pending
        self.thisYear = thisYear
        self.yearLimit = yearLimit
        self.today = today
        self.dayLimit = dayLimit
    }

}
