import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// The manager's report: per staff member, per car, per month (R5, R6, R7).
public struct ReportView: Codable, Sendable {
    public struct StaffLine: Codable, Sendable {
        public var staff: StaffRef
        public var pointsThisCycle: Int
        public var cycleEnd: String
        public var pointsRemaining: Int
        public var violations: Int
        public var open: Int
        public var finesPaidYuan: Decimal
        public var lateFeesPaidYuan: Decimal
        public var paidByShopYuan: Decimal
        public var paidByDriverYuan: Decimal
        public var paidByOwnerYuan: Decimal
        /// Non-owned plates he handled violations of in the last year (R5).
        public var platesHandledThisYear: Int
        public var proxyWatch: Bool
    }

    public struct VehicleLine: Codable, Sendable {
        public var plate: String
        public var violations: Int
        public var points: Int
        public var finesYuan: Decimal
        public var drivers: Int
        public var proxyWatch: Bool
    }

    public struct MonthLine: Codable, Sendable {
        public var month: String
        public var violations: Int
        public var points: Int
        public var finesYuan: Decimal
        public var lateFeesPaidYuan: Decimal
        public var paidYuan: Decimal
        /// Paid beyond (or, negative, short of) the fines and DriverDesk's count of their late fees (R7).
        public var lateFeeDifferenceYuan: Decimal
    }

    public var from: String
    public var to: String
    public var staff: [StaffLine]
    public var vehicles: [VehicleLine]
    public var months: [MonthLine]
}

extension Desk {
    /// `report [--from DATE] [--to DATE]`: violations that happened in the range (default: the last 12 months).
    public func report(from: String?, to: String?) throws -> ReportView {
        try actor.check(.report)
        let config = try config()
        let time = config.time
        let today = today(config)
        let toDay = try to.map { try CivilDate(parsing: $0, field: "to") } ?? today
        let fromDay = try from.map { try CivilDate(parsing: $0, field: "from") } ?? toDay.adding(days: -365)
        guard fromDay <= toDay else { throw DeskError.invalid(field: "to", reason: Message("input.range.backwards", ["from": .day(fromDay), "to": .day(toDay)])) }
        let rows = try database.violations().filter { row in
            let day = time.civilDate(of: row.violation.occurredAt)
            return fromDay <= day && day <= toDay && row.violation.status != .void && row.violation.status != .handedBack
        }
        let yearAgo = now.addingTimeInterval(-365 * 86_400)
        let platesLimit = config.int(.proxyPlatesPerDriver), driversLimit = config.int(.proxyDriversPerPlate)
        let handled = try database.violations().filter { row in
            row.violation.points > 0 && (row.violation.processedAt.map { $0 >= yearAgo } ?? false)
        }

        var staffLines: [ReportView.StaffLine] = []
        for staff in try database.staffList() {
            let mine = rows.filter { $0.violation.driverId == staff.id }
            let plates = Set(handled.filter { $0.violation.driverId == staff.id }.map(\.vehicle.plate))
            guard staff.active || !mine.isEmpty else { continue }
            let cycle = try database.pointsInCycle(staff: staff, on: today)
            func paid(_ payer: Payer?) -> Decimal {
                Money.yuanNumber(mine.filter { payer == nil || $0.violation.payer == payer }.reduce(0) { $0 + ($1.violation.paidFen ?? 0) })
            }
            staffLines.append(ReportView.StaffLine(
                staff: staff.ref, pointsThisCycle: cycle.points, cycleEnd: cycle.end.description,
                pointsRemaining: max(0, config.int(.scoringCycleMax) - cycle.points), violations: mine.count,
                open: mine.filter { $0.violation.status.isUnpaid }.count,
                finesPaidYuan: Money.yuanNumber(mine.filter { $0.violation.status == .paid }.reduce(0) { $0 + $1.violation.fineFen }),
                lateFeesPaidYuan: Money.yuanNumber(mine.reduce(0) { $0 + ($1.violation.status == .paid ? $1.violation.lateFeeFen ?? 0 : 0) }),
                paidByShopYuan: paid(.shop), paidByDriverYuan: paid(.driver), paidByOwnerYuan: paid(.owner),
                platesHandledThisYear: plates.count, proxyWatch: plates.count >= platesLimit - 1))
        }
        staffLines.sort { ($0.pointsThisCycle, $0.violations) > ($1.pointsThisCycle, $1.violations) }

        let vehicleLines = Dictionary(grouping: rows, by: \.vehicle.plate).map { plate, list in
            let drivers = Set(handled.filter { $0.vehicle.plate == plate }.compactMap(\.violation.driverId))
            return ReportView.VehicleLine(plate: plate, violations: list.count, points: list.reduce(0) { $0 + $1.violation.points },
                                          finesYuan: Money.yuanNumber(list.reduce(0) { $0 + $1.violation.fineFen }),
                                          drivers: Set(list.compactMap(\.violation.driverId)).count, proxyWatch: drivers.count >= driversLimit - 1)
        }.sorted { ($0.violations, $0.plate) > ($1.violations, $1.plate) }

        let monthLines = Dictionary(grouping: rows) { row -> String in
            let day = time.civilDate(of: row.violation.occurredAt)
            return "\(day.year)-\(day.month < 10 ? "0" : "")\(day.month)"
        }.map { month, list in
            ReportView.MonthLine(month: month, violations: list.count, points: list.reduce(0) { $0 + $1.violation.points },
                                 finesYuan: Money.yuanNumber(list.reduce(0) { $0 + $1.violation.fineFen }),
                                 lateFeesPaidYuan: Money.yuanNumber(list.reduce(0) { $0 + ($1.violation.lateFeeFen ?? 0) }),
                                 paidYuan: Money.yuanNumber(list.reduce(0) { $0 + ($1.violation.paidFen ?? 0) }),
                                 lateFeeDifferenceYuan: Money.yuanNumber(list.reduce(0) { sum, row in
                                     sum + (FeeRules.difference(paidFen: row.violation.paidFen, fineFen: row.violation.fineFen, lateFeeFen: row.violation.lateFeeFen) ?? 0)
                                 }))
        }.sorted { $0.month < $1.month }

        return ReportView(from: fromDay.description, to: toDay.description, staff: staffLines, vehicles: vehicleLines, months: monthLines)
    }
}
