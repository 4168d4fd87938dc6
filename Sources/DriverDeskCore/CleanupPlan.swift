import Foundation

/// One line of cleanup's report (R9).
public struct CleanupAction: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case inviteExpired, removalDue, removalReminder, visitStale, feeDueSoon, feeOverdue
    }

    public var kind: Kind
    public var message: String
    public var ref: String?
    public var plate: String?
    public var staff: String?
    public var violationId: Int64?

    public init(kind: Kind, message: String, ref: String? = nil, plate: String? = nil, staff: String? = nil, violationId: Int64? = nil) {
        self.kind = kind
        self.message = message
        self.ref = ref
        self.plate = plate
        self.staff = staff
        self.violationId = violationId
    }
}

/// The facts cleanup looks at, gathered by the store in one transaction.
public struct CleanupFacts: Sendable {
    public struct Registration: Sendable {
        public var ref: String
        public var plate: String
        public var staff: String
        public var status: RegistrationStatus
        public var invitedAt: Date
        public var removalDueAt: Date?
        /// When the car last left the shop; nil while it is in the shop (or never came).
        public var leftCustodyAt: Date?
        public var inShop: Bool
        /// The driver still owes a violation on this car.
        public var hasUnpaidViolation: Bool

        public init(ref: String, plate: String, staff: String, status: RegistrationStatus, invitedAt: Date, removalDueAt: Date?,
                    leftCustodyAt: Date?, inShop: Bool, hasUnpaidViolation: Bool) {
            self.ref = ref
            self.plate = plate
            self.staff = staff
            self.status = status
            self.invitedAt = invitedAt
            self.removalDueAt = removalDueAt
            self.leftCustodyAt = leftCustodyAt
            self.inShop = inShop
            self.hasUnpaidViolation = hasUnpaidViolation
        }
    }

    public struct OpenVisit: Sendable {
        public var plate: String
        public var checkinAt: Date
        public init(plate: String, checkinAt: Date) {
            self.plate = plate
            self.checkinAt = checkinAt
        }
    }

    public struct UnpaidFine: Sendable {
        public var violationId: Int64
        public var plate: String
        public var staff: String?
        public var fineFen: Int
        public var processedAt: Date
        public init(violationId: Int64, plate: String, staff: String?, fineFen: Int, processedAt: Date) {
            self.violationId = violationId
            self.plate = plate
            self.staff = staff
            self.fineFen = fineFen
            self.processedAt = processedAt
        }
    }

    public var registrations: [Registration]
    public var openVisits: [OpenVisit]
    public var unpaidFines: [UnpaidFine]

    public init(registrations: [Registration], openVisits: [OpenVisit], unpaidFines: [UnpaidFine]) {
        self.registrations = registrations
        self.openVisits = openVisits
        self.unpaidFines = unpaidFines
    }
}

/// What cleanup will do: the actions to report and the registrations to change.
public struct CleanupPlan: Sendable, Equatable {
    public var actions: [CleanupAction]
    public var expire: [String]
    public var removalDue: [String]
}

public enum CleanupRules {
    public struct Settings: Sendable {
        public var inviteExpiryDays: Int
        public var registrationStaleDays: Int
        public var visitStaleDays: Int
        public var fees: FeeRules
        public var dueSoonDays = 3

        public init(_ config: Config) {
            inviteExpiryDays = config.int(.inviteExpiryDays)
            registrationStaleDays = config.int(.registrationStaleDays)
            visitStaleDays = config.int(.visitStaleDays)
            fees = FeeRules(config)
        }
    }

    /// R9 as a pure function of the facts and the clock. Changes (expiry, removalDue) are reported only
    /// when they happen, so a second run reports none; reminders come back until a person acts.
    public static func plan(_ facts: CleanupFacts, now: Date, settings: Settings, time: ShopTime) -> CleanupPlan {
        var actions: [CleanupAction] = []
        var expire: [String] = [], removalDue: [String] = []
        let today = time.civilDate(of: now)
        for r in facts.registrations {
            switch r.status {
            case .invited:
                let expiresOn = time.civilDate(of: r.invitedAt).adding(days: settings.inviteExpiryDays)
                if today > expiresOn {
                    expire.append(r.ref)
                    actions.append(CleanupAction(kind: .inviteExpired, message: "Invite \(r.ref) for \(r.staff) on \(r.plate) was not confirmed by \(expiresOn): expired.",
                                                 ref: r.ref, plate: r.plate, staff: r.staff))
                }
            case .active:
                guard !r.inShop, !r.hasUnpaidViolation, let left = r.leftCustodyAt else { continue }
                let staleFrom = left.addingTimeInterval(TimeInterval(settings.registrationStaleDays) * 86_400)
                if now > staleFrom {
                    removalDue.append(r.ref)
                    actions.append(CleanupAction(kind: .removalDue, message: "\(r.plate) left the shop on \(time.format(left)) and \(r.staff) owes nothing on it: registration \(r.ref) is due for removal; ask the owner to remove it in 12123 (机动车 → 查看被他人备案记录), then driverdesk register remove \(r.ref).",
                                                 ref: r.ref, plate: r.plate, staff: r.staff))
                }
            case .removalDue:
                guard let due = r.removalDueAt, due <= now else { continue }
                let days = time.civilDate(of: due).days(until: today)
                actions.append(CleanupAction(kind: .removalReminder, message: "Remove registration \(r.ref) of \(r.staff) on \(r.plate) in 12123 (due since \(time.format(due))\(days > 0 ? ", \(days) day\(days == 1 ? "" : "s")" : "")), then driverdesk register remove \(r.ref).",
                                             ref: r.ref, plate: r.plate, staff: r.staff))
            case .removed, .expired, .cancelled:
                continue
            }
        }
        for visit in facts.openVisits {
            let days = time.civilDate(of: visit.checkinAt).days(until: today)
            if days > settings.visitStaleDays {
                actions.append(CleanupAction(kind: .visitStale, message: "\(visit.plate) has been in the shop since \(time.format(visit.checkinAt)) (\(days) days): check it out, or confirm it is still here.",
                                             plate: visit.plate))
            }
        }
        for fine in facts.unpaidFines {
            let processed = time.civilDate(of: fine.processedAt)
            let due = settings.fees.dueDate(processedOn: processed)
            let daysLeft = today.days(until: due)
            let who = fine.staff.map { " (\($0))" } ?? ""
            if daysLeft < 0 {
                let fee = settings.fees.lateFee(fineFen: fine.fineFen, processedOn: processed, on: today)
                actions.append(CleanupAction(kind: .feeOverdue, message: "Violation #\(fine.violationId) on \(fine.plate)\(who): the \(Money.yuan(fine.fineFen))-yuan fine was due on \(due), \(-daysLeft) days ago; late fee now \(Money.yuan(fee)) yuan, \(Money.yuan(fine.fineFen + fee)) in all.",
                                             plate: fine.plate, staff: fine.staff, violationId: fine.violationId))
            } else if daysLeft <= settings.dueSoonDays {
                actions.append(CleanupAction(kind: .feeDueSoon, message: "Violation #\(fine.violationId) on \(fine.plate)\(who): the \(Money.yuan(fine.fineFen))-yuan fine is due on \(due) (\(daysLeft == 0 ? "today" : "in \(daysLeft) days")); pay it to avoid 3% a day.",
                                             plate: fine.plate, staff: fine.staff, violationId: fine.violationId))
            }
        }
        return CleanupPlan(actions: actions, expire: expire, removalDue: removalDue)
    }
}
