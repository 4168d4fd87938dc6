import Foundation

/// Where a violation is: recorded, accepted in 12123 (processed), paid; or void; or handed back to the owner as his
/// own (outside the shop's custody).
public enum ViolationStatus: String, CaseIterable, Codable, Sendable {
    case open, processed, paid, void, handedBack

    public init(parsing raw: String, field: String = "status") throws {
        guard let value = ViolationStatus.allCases.first(where: { $0.rawValue.lowercased() == raw.trimmingSpaces().lowercased() }) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(ViolationStatus.allCases.map(\.rawValue))]))
        }
        self = value
    }

    /// Not yet paid (or voided): the driver still owes something for it (R8).
    public var isUnpaid: Bool { self == .open || self == .processed }
}

/// How a violation can be handled (R4).
public enum Channel: String, Codable, CaseIterable, Sendable {
    case online, window
}

/// How a fine was paid (R7).
public enum PaymentMethod: String, CaseIterable, Codable, Sendable {
    case wechat, alipay, bankCard = "bank-card", cash

    public init(parsing raw: String, field: String = "method") throws {
        guard let value = PaymentMethod(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(PaymentMethod.allCases.map(\.rawValue))]))
        }
        self = value
    }
}

/// Who paid a fine (R7).
public enum Payer: String, CaseIterable, Codable, Sendable {
    case shop, driver, owner

    public init(parsing raw: String, field: String = "payer") throws {
        guard let value = Payer(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(Payer.allCases.map(\.rawValue))]))
        }
        self = value
    }
}

/// A camera-recorded violation of a customer car, with who drove and what became of it.
public struct Violation: Codable, Equatable, Sendable {
    public var id: Int64?
    public var vehicleId: Int64
    public var occurredAt: Date
    public var code: String
    public var descriptionText: String?
    public var category: String?
    public var location: String?
    public var points: Int
    public var fineFen: Int
    public var recordNo: String?
    public var status: ViolationStatus
    public var driverId: Int64?
    public var attribution: Attribution.Kind
    public var needsReview: Bool
    /// JSON array of the sentences that decided the attribution.
    public var reasons: String
    public var movementId: Int64?
    public var assignedBy: String?
    public var assignReason: String?
    public var assignedAt: Date?
    public var processedAt: Date?
    public var processedChannel: Channel?
    public var paidAt: Date?
    public var paidFen: Int?
    public var lateFeeFen: Int?
    public var payMethod: PaymentMethod?
    public var payer: Payer?
    public var recordedAt: Date
    /// When it was handed back to the owner as his own, and why (`violation handback`).
    public var handedBackAt: Date?
    public var handBackReason: String?

    public init(id: Int64? = nil, vehicleId: Int64, occurredAt: Date, code: String, descriptionText: String?, category: String?, location: String?,
                points: Int, fineFen: Int, recordNo: String?, status: ViolationStatus = .open, driverId: Int64?, attribution: Attribution.Kind,
                needsReview: Bool, reasons: String, movementId: Int64?, recordedAt: Date) {
        self.id = id
        self.vehicleId = vehicleId
        self.occurredAt = occurredAt
        self.code = code
        self.descriptionText = descriptionText
        self.category = category
        self.location = location
        self.points = points
        self.fineFen = fineFen
        self.recordNo = recordNo
        self.status = status
        self.driverId = driverId
        self.attribution = attribution
        self.needsReview = needsReview
        self.reasons = reasons
        self.movementId = movementId
        self.recordedAt = recordedAt
    }
}

/// What the front desk does next with a violation: the groups of the dashboard and `status`.
public enum NextAction: String, Codable, CaseIterable, Sendable {
    case review, invite, window, process, pay, overdue, none

    /// Decides from the violation's state; `registrationMissing` means R4 failed only for want of a registration that can still be made.
    public static func of(status: ViolationStatus, attribution: Attribution.Kind, needsReview: Bool, hasDriver: Bool,
                          channel: Channel?, registrationMissing: Bool, dueDate: CivilDate?, today: CivilDate) -> NextAction {
        switch status {
        case .paid, .void, .handedBack: return .none
        case .processed: return dueDate.map { today > $0 } == true ? .overdue : .pay
        case .open:
            if attribution == .outsideCustody { return .none }
            if needsReview || !hasDriver { return .review }
            if registrationMissing { return .invite }
            return channel == .online ? .process : .window
        }
    }
}
