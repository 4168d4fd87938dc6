import DriverDeskCore
import Foundation
import GRDB

/// The plans of visits (`visitPlan`): what a car was checked in for.
extension SQLiteTransaction {
    func plans(visitIds: Set<Int64>) throws -> [Int64: [MovementPurpose]] {
        guard !visitIds.isEmpty else { return [:] }
        let ids = visitIds.sorted()
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: "SELECT visitId, purpose FROM visitPlan WHERE visitId IN (\(marks))", arguments: StatementArguments(ids))
        var plans: [Int64: Set<MovementPurpose>] = [:]
        for row in rows {
            guard let purpose = MovementPurpose(rawValue: row["purpose"]) else { continue }
            plans[row["visitId"], default: []].insert(purpose)
        }
        return plans.mapValues { set in MovementPurpose.allCases.filter(set.contains) }
    }

    func setPlan(visitId: Int64, purposes: [MovementPurpose]) throws {
        try db.execute(sql: "DELETE FROM visitPlan WHERE visitId = ?", arguments: [visitId])
        for purpose in purposes {
            try db.execute(sql: "INSERT INTO visitPlan (visitId, purpose) VALUES (?, ?)", arguments: [visitId, purpose.rawValue])
        }
    }
}
