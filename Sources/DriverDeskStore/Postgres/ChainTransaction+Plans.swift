import DriverDeskCore
import Foundation
import PostgresNIO

/// The plans of visits (`visit_plan`): what a car was checked in for.
extension ChainTransaction {
    func plans(visitIds: Set<Int64>) throws -> [Int64: [MovementPurpose]] {
        guard !visitIds.isEmpty else { return [:] }
        let rows = try self.rows("SELECT visit_id, purpose FROM visit_plan WHERE visit_id = ANY($1)",
                                 [PostgresData(array: visitIds.sorted().map { PostgresData(int64: $0) }, elementType: .int8)])
        var plans: [Int64: Set<MovementPurpose>] = [:]
        for row in rows {
            plans[try row["visit_id"].decode(Int64.self), default: []].insert(try Self.enumValue(try row["purpose"].decode(String.self), MovementPurpose.self))
        }
        return plans.mapValues { set in MovementPurpose.allCases.filter(set.contains) }
    }

    func setPlan(visitId: Int64, purposes: [MovementPurpose]) throws {
        try run("DELETE FROM visit_plan WHERE visit_id = $1", [bind(visitId)])
        for purpose in purposes {
            try run("INSERT INTO visit_plan (visit_id, purpose) VALUES ($1, $2)", [bind(visitId), bind(purpose.rawValue)])
        }
    }
}
