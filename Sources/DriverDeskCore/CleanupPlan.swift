import Foundation

/// One line of cleanup's report (R9).
public struct CleanupAction: Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case inviteExpired, removalDue, removalReminder, visitStale, feeDueSoon, feeOverdue
    }

    public var kind: Kind
    /// What happened or needs doing, as a value a catalogue renders.
    public var message: Message
    public var ref: String?
    public var plate: String?
    public var staff: String?
    public var violationId: Int64?

    public init(kind: Kind, message: Message, ref: String? = nil, plate: String? = nil, staff: String? = nil, violationId: Int64? = nil) {
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
                let expiresOn = InviteRules.expiresOn(invitedAt: r.invitedAt, expiryDays: settings.inviteExpiryDays, time: time)
                if today > expiresOn {
                    expire.append(r.ref)
                    actions.append(CleanupAction(kind: .inviteExpired, message: Message("cleanup.inviteExpired", ["ref": .text(r.ref), "staff": .text(r.staff), "plate": .text(r.plate), "by": .day(expiresOn)]),
                                                 ref: r.ref, plate: r.plate, staff: r.staff))
                }
            case .active:
                guard !r.inShop, !r.hasUnpaidViolation, let left = r.leftCustodyAt else { continue }
                let staleFrom = left.addingTimeInterval(TimeInterval(settings.registrationStaleDays) * 86_400)
                if now > staleFrom {
                    removalDue.append(r.ref)
                    actions.append(CleanupAction(kind: .removalDue, message: Message("cleanup.removalDue", ["plate": .text(r.plate), "left": .time(left), "staff": .text(r.staff), "ref": .text(r.ref)]),
                                                 ref: r.ref, plate: r.plate, staff: r.staff))
                }
            case .removalDue:
                guard let due = r.removalDueAt, due <= now else { continue }
                let days = time.civilDate(of: due).days(until: today)
                actions.append(CleanupAction(kind: .removalReminder, message: Message("cleanup.removalReminder", ["ref": .text(r.ref), "staff": .text(r.staff), "plate": .text(r.plate), "since": .time(due), "days": .days(days)]),
                                             ref: r.ref, plate: r.plate, staff: r.staff))
            case .removed, .expired, .cancelled:
                continue
            }
        }
        for visit in facts.openVisits {
            let days = VisitRules.daysInShop(checkinAt: visit.checkinAt, now: now, time: time)
            if VisitRules.isStale(checkinAt: visit.checkinAt, now: now, staleDays: settings.visitStaleDays, time: time) {
                actions.append(CleanupAction(kind: .visitStale, message: Message("cleanup.visitStale", ["plate": .text(visit.plate), "since": .time(visit.checkinAt), "days": .days(days)]),
                                             plate: visit.plate))
            }
        }
        for fine in facts.unpaidFines {
            let processed = time.civilDate(of: fine.processedAt)
            let due = settings.fees.dueDate(processedOn: processed)
            let daysLeft = today.days(until: due)
            if daysLeft < 0 {
                let fee = settings.fees.lateFee(fineFen: fine.fineFen, processedOn: processed, on: today)
                actions.append(CleanupAction(kind: .feeOverdue, message: Message("cleanup.feeOverdue", ["violation": .number(Int(fine.violationId)), "plate": .text(fine.plate), "staff": .text(fine.staff ?? "-"), "fine": .fen(fine.fineFen),
                                                                                             "due": .day(due), "days": .days(-daysLeft), "fee": .fen(fee), "total": .fen(fine.fineFen + fee)]),
                                             plate: fine.plate, staff: fine.staff, violationId: fine.violationId))
            } else if daysLeft <= settings.dueSoonDays {
                actions.append(CleanupAction(kind: .feeDueSoon, message: Message("cleanup.feeDueSoon", ["violation": .number(Int(fine.violationId)), "plate": .text(fine.plate), "staff": .text(fine.staff ?? "-"), "fine": .fen(fine.fineFen),
                                                                                             "due": .day(due), "days": .days(daysLeft), "percent": .number(settings.fees.percentPerDay)]),
                                             plate: fine.plate, staff: fine.staff, violationId: fine.violationId))
            }
        }
        return CleanupPlan(actions: actions, expire: expire, removalDue: removalDue)
    }
}

/// When an invite stops waiting (R9): `invite.expiryDays` calendar days after the day it was made, that day included.
public enum InviteRules {
    public static func expiresOn(invitedAt: Date, expiryDays: Int, time: ShopTime) -> CivilDate {
        time.civilDate(of: invitedAt).adding(days: expiryDays)
    }
}

/// When a car has been in the shop too long (R9, `status`): more than `visit.staleDays` calendar days since check-in.
public enum VisitRules {
    public static func daysInShop(checkinAt: Date, now: Date, time: ShopTime) -> Int {
        time.civilDate(of: checkinAt).days(until: time.civilDate(of: now))
    }

    public static func isStale(checkinAt: Date, now: Date, staleDays: Int, time: ShopTime) -> Bool {
        daysInShop(checkinAt: checkinAt, now: now, time: time) > staleDays
    }
}
