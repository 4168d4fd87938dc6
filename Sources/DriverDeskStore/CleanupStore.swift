import DriverDeskCore
import Foundation
import GRDB

extension AppDatabase {
    /// R9 in one transaction: gathers the facts, plans, and (unless a dry run) applies the plan's changes, each audited.
    public func cleanup(dryRun: Bool, context: WriteContext) throws -> CleanupPlan {
        try write { db in
            let config = try AppDatabase.config(db)
            let settings = CleanupRules.Settings(config)
            let facts = try AppDatabase.cleanupFacts(settings: settings, now: context.now, db)
            let plan = CleanupRules.plan(facts, now: context.now, settings: settings, time: config.time)
            guard !dryRun else { return plan }
            for ref in plan.expire {
                try AppDatabase.changeRegistration(ref, db, context) { $0.status = .expired; $0.expiredAt = context.now }
            }
            for ref in plan.removalDue {
                try AppDatabase.changeRegistration(ref, db, context) { $0.status = .removalDue; $0.removalDueAt = context.now }
            }
            return plan
        }
    }

    static func changeRegistration(_ ref: String, _ db: Database, _ context: WriteContext, _ change: (inout Registration) -> Void) throws {
        guard var registration = try Registration.filter(Column("ref") == ref).fetchOne(db) else { return }
        let before = Audit.json(registration)
        change(&registration)
        try registration.update(db)
        try Audit.record(db, context, action: "cleanup.\(registration.status.rawValue)", subject: ref, before: before, after: Audit.json(registration))
    }

    static func cleanupFacts(settings: CleanupRules.Settings, now: Date, _ db: Database) throws -> CleanupFacts {
        func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        let registrations = try Row.fetchAll(db, sql: """
            SELECT r.ref, v.plate, s.name, r.status, r.invitedAt, r.removalDueAt,
                   (SELECT max(checkoutAt) FROM visit WHERE vehicleId = r.vehicleId) AS leftAt,
                   EXISTS (SELECT 1 FROM visit WHERE vehicleId = r.vehicleId AND checkoutAt IS NULL) AS inShop,
                   EXISTS (SELECT 1 FROM violation WHERE vehicleId = r.vehicleId AND driverId = r.staffId AND status IN ('open', 'processed')) AS unpaid
            FROM registration r JOIN vehicle v ON v.id = r.vehicleId JOIN staff s ON s.id = r.staffId
            WHERE r.status IN ('invited', 'active', 'removalDue')
            ORDER BY r.invitedAt, r.id
            """).map { row in
                CleanupFacts.Registration(
                    ref: row["ref"], plate: row["plate"], staff: row["name"], status: RegistrationStatus(rawValue: row["status"]) ?? .active,
                    invitedAt: date(row["invitedAt"])!, removalDueAt: date(row["removalDueAt"]), leftCustodyAt: date(row["leftAt"]),
                    inShop: row["inShop"], hasUnpaidViolation: row["unpaid"])
            }
        let staleBefore = now.addingTimeInterval(-TimeInterval(settings.visitStaleDays - 1) * 86_400).seconds
        let visits = try Row.fetchAll(db, sql: """
            SELECT v.plate, vi.checkinAt FROM visit vi JOIN vehicle v ON v.id = vi.vehicleId
            WHERE vi.checkoutAt IS NULL AND vi.checkinAt < ? ORDER BY vi.checkinAt
            """, arguments: [staleBefore]).map { CleanupFacts.OpenVisit(plate: $0["plate"], checkinAt: date($0["checkinAt"])!) }
        let dueSoonFrom = now.addingTimeInterval(-TimeInterval(settings.fees.dueDays - settings.dueSoonDays - 1) * 86_400).seconds
        let fines = try Row.fetchAll(db, sql: """
            SELECT x.id, v.plate, s.name, x.fineFen, x.processedAt FROM violation x
            JOIN vehicle v ON v.id = x.vehicleId LEFT JOIN staff s ON s.id = x.driverId
            WHERE x.status = 'processed' AND x.processedAt <= ? ORDER BY x.processedAt, x.id
            """, arguments: [dueSoonFrom]).map {
                CleanupFacts.UnpaidFine(violationId: $0["id"], plate: $0["plate"], staff: $0["name"], fineFen: $0["fineFen"], processedAt: date($0["processedAt"])!)
            }
        return CleanupFacts(registrations: registrations, openVisits: visits, unpaidFines: fines)
    }
}
