import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "report", abstract: "Points, violations and money per staff member, per car and per month.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "First day (default: a year before --to).") var from: String?
        @Option(help: "Last day (default: today).") var to: String?
        @Flag(help: "Print CSV (one table, chosen with --by).") var csv = false
        @Option(help: "With --csv: staff, vehicle or month (default staff).") var by: String = "staff"

        func validate() throws {
            guard ["staff", "vehicle", "month"].contains(by) else { throw ValidationError("--by takes staff, vehicle or month") }
        }

        func run() throws {
            let report = try global.desk().report(from: from, to: to)
            if csv && !global.json {
                print(ReportText.csv(report, by: by), terminator: "")
                return
            }
            try global.output.print(report) { ReportText.text(report) }
        }
    }
}

/// The report as text and CSV.
enum ReportText {
    static func text(_ r: ReportView) -> String {
        var lines = ["Report \(r.from) to \(r.to)", "", "Staff:"]
        var staff = Table("NAME", "POINTS", "LEFT", "CYCLE ENDS", "VIOLATIONS", "OPEN", "FINES PAID", "LATE FEES", "SHOP", "DRIVER", "OWNER", "PLATES/YR")
        for s in r.staff {
            staff.add(s.staff.name, String(s.pointsThisCycle), String(s.pointsRemaining), s.cycleEnd, String(s.violations), String(s.open),
                      "\(s.finesPaidYuan)", "\(s.lateFeesPaidYuan)", "\(s.paidByShopYuan)", "\(s.paidByDriverYuan)", "\(s.paidByOwnerYuan)",
                      "\(s.platesHandledThisYear)\(s.proxyWatch ? " (close to R5)" : "")")
        }
        lines.append(r.staff.isEmpty ? "  none" : staff.render(indent: "  "))
        lines += ["", "Cars:"]
        var cars = Table("PLATE", "VIOLATIONS", "POINTS", "FINES", "DRIVERS")
        for v in r.vehicles { cars.add(v.plate, String(v.violations), String(v.points), "\(v.finesYuan)", "\(v.drivers)\(v.proxyWatch ? " (close to R5)" : "")") }
        lines.append(r.vehicles.isEmpty ? "  none" : cars.render(indent: "  "))
        lines += ["", "Months:"]
        var months = Table("MONTH", "VIOLATIONS", "POINTS", "FINES", "LATE FEES PAID", "PAID")
        for m in r.months { months.add(m.month, String(m.violations), String(m.points), "\(m.finesYuan)", "\(m.lateFeesPaidYuan)", "\(m.paidYuan)") }
        lines.append(r.months.isEmpty ? "  none" : months.render(indent: "  "))
        return lines.joined(separator: "\n")
    }

    static func csv(_ r: ReportView, by: String) -> String {
        func field(_ value: String) -> String {
            value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        var rows: [[String]]
        switch by {
        case "vehicle":
            rows = [["plate", "violations", "points", "fines_yuan", "drivers"]]
            rows += r.vehicles.map { [$0.plate, String($0.violations), String($0.points), "\($0.finesYuan)", String($0.drivers)] }
        case "month":
            rows = [["month", "violations", "points", "fines_yuan", "late_fees_paid_yuan", "paid_yuan"]]
            rows += r.months.map { [$0.month, String($0.violations), String($0.points), "\($0.finesYuan)", "\($0.lateFeesPaidYuan)", "\($0.paidYuan)"] }
        default:
            rows = [["staff_id", "name", "points_this_cycle", "points_remaining", "cycle_end", "violations", "open", "fines_paid_yuan", "late_fees_paid_yuan",
                     "paid_by_shop_yuan", "paid_by_driver_yuan", "paid_by_owner_yuan", "plates_handled_this_year"]]
            rows += r.staff.map { s in
                [String(s.staff.id), s.staff.name, String(s.pointsThisCycle), String(s.pointsRemaining), s.cycleEnd, String(s.violations), String(s.open),
                 "\(s.finesPaidYuan)", "\(s.lateFeesPaidYuan)", "\(s.paidByShopYuan)", "\(s.paidByDriverYuan)", "\(s.paidByOwnerYuan)", String(s.platesHandledThisYear)]
            }
        }
        return rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
