import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    /// R9 in one transaction: gathers the facts, plans, and (unless a dry run) applies the plan's changes, each audited.
    func cleanup(dryRun: Bool, context: WriteContext, config: Config) throws -> CleanupPlan {
        let settings = CleanupRules.Settings(config)
        let facts = try cleanupFacts(settings: settings, now: context.now)
        let plan = CleanupRules.plan(facts, now: context.now, settings: settings, time: config.time)
        guard !dryRun else { return plan }
        for ref in plan.expire {
            try changeRegistration(ref, context) { $0.status = .expired; $0.expiredAt = context.now }
        }
        for ref in plan.removalDue {
            try changeRegistration(ref, context) { $0.status = .removalDue; $0.removalDueAt = context.now }
        }
        return plan
    }
}

extension ShopStore {
    /// R9 in one transaction: gathers the facts, plans, and (unless a dry run) applies the plan's changes, each audited.
    func cleanup(dryRun: Bool, context: WriteContext) throws -> CleanupPlan {
        try writing { tx in try tx.cleanup(dryRun: dryRun, context: context, config: tx.config()) }
    }
}

extension ShopTransaction {
    func changeRegistration(_ ref: String, _ context: WriteContext, _ change: (inout Registration) -> Void) throws {
        guard var registration = try registrations(RegistrationQuery(ref: ref)).first else { return }
        let before = Audit.json(registration)
        change(&registration)
        try update(registration)
        try audit(context, action: "cleanup.\(registration.status.rawValue)", subject: ref, before: before, after: Audit.json(registration))
    }

    func cleanupFacts(settings: CleanupRules.Settings, now: Date) throws -> CleanupFacts {
        let staleBefore = now.addingTimeInterval(-TimeInterval(settings.visitStaleDays - 1) * 86_400)
        let dueSoonFrom = now.addingTimeInterval(-TimeInterval(settings.fees.dueDays - settings.dueSoonDays - 1) * 86_400)
        return CleanupFacts(registrations: try cleanupRegistrations(), openVisits: try openVisits(checkedInBefore: staleBefore),
                            unpaidFines: try unpaidFines(processedBy: dueSoonFrom))
    }
}
