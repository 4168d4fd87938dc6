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
        @Option(help: ArgumentHelp("With --csv: utf-8 (with a BOM, what Excel and WPS need to read Chinese; the default) or gb18030.", valueName: "encoding"))
        var encoding: String?

        func validate() throws {
            guard ["staff", "vehicle", "month"].contains(by) else { throw ValidationError("--by takes staff, vehicle or month") }
            if encoding != nil && !csv { throw ValidationError("--encoding goes with --csv") }
        }

        func run() throws {
            if csv && !global.json {
                let bytes = try global.desk().reportCSV(from: from, to: to, by: by, encoding: encoding)
                FileHandle.standardOutput.write(bytes)
                return
            }
            let report = try global.desk().report(from: from, to: to)
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
}
