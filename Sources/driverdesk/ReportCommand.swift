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
        @Option(help: ArgumentHelp("On a chain's ?shop=*: the page of shops, 50 a page (default 1).", valueName: "n")) var page: String?
        @Option(help: ArgumentHelp("On a chain's ?shop=*: shops by code (default), unpaid (most unpaid money first) or review (most to review first).",
                                   valueName: "order")) var sort: String?
        @Option(help: ArgumentHelp("On a chain's ?shop=*: the page of drivers, 50 a page (default 1).", valueName: "n")) var driverPage: String?
        @Option(help: ArgumentHelp("On a chain's ?shop=*: drivers by name (default), points (most points this cycle first) or unpaid (most unpaid money first).",
                                   valueName: "order")) var driverSort: String?

        func validate() throws {
            guard ["staff", "vehicle", "month"].contains(by) else { throw ValidationError(Voice.say(Message("cli.report.by", ["raw": .text(by), "options": .names(["staff", "vehicle", "month"])]))) }
            if encoding != nil && !csv { throw ValidationError(Voice.say(Message("cli.report.encodingNeedsCSV"))) }
        }

        func run() throws {
            if let chain = try global.chainManager() {
                // `?shop=*`: the chain manager's view across every shop.
                defer { chain.close() }
                if csv { throw DeskError.invalid(field: "csv", reason: Message("cli.report.chainCSV")) }
                let report = try chain.report(from: from, to: to, page: page, sort: sort, driverPage: driverPage, driverSort: driverSort)
                try global.output.print(report) { ReportText.chain(report) }
                return
            }
            // A shop's report is one page: the chain's paging and orders are refused, naming the option.
            for (option, value) in [("page", page), ("sort", sort), ("driver-page", driverPage), ("driver-sort", driverSort)] where value != nil {
                throw DeskError.invalid(field: option, reason: Message("cli.report.chainOnly", ["option": .text("--" + option)]))
            }
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
    /// The chain manager's view: every shop and the total, then every driver of the chain.
    static func chain(_ r: ChainReportView) -> String {
        let words = Voice.words, colon = words.language == .zhHans ? "：" : ":"
        func column(_ key: String) -> String { words.term("chainReport", key) }
        var lines = [Voice.say(Message("cli.report.title", ["from": .text(r.from), "to": .text(r.to)])), "", words.label("reportShops") + colon]
        var shops = Table(column("shop_code"), column("shop_name"), column("active_staff"), column("vehicles"), column("cars_in_shop"), column("movements"),
                          column("violations"), column("unpaid"), column("unpaid_fines_yuan"), column("to_review"), column("removals_due"))
        for s in r.shops + [r.total] {
            shops.add(s.code == "*" ? words.label("reportTotal") : s.code, s.name, String(s.activeStaff), String(s.vehicles), String(s.carsInShop),
                      String(s.movements), String(s.violations), String(s.unpaid), "\(s.unpaidFinesYuan)", String(s.toReview), String(s.removalsDue))
        }
        lines.append(shops.render(indent: "  "))
        lines.append("  " + Voice.say(Message("cli.report.chainShopsPage", ["page": .number(r.page), "pages": .number(r.pages), "count": .number(r.shopCount),
                                                                           "sort": .text(r.sort)])))
        lines += ["", words.label("reportDrivers") + colon]
        var drivers = Table(column("name"), column("id_number"), column("shops"), column("movements"), column("points_this_cycle"), column("points_remaining"),
                            column("cycle_end"), column("unpaid"), column("unpaid_fines_yuan"))
        for d in r.drivers {
            drivers.add(d.name, d.idNumber, d.shops.joined(separator: " "), String(d.movements), String(d.pointsThisCycle), String(d.pointsRemaining), d.cycleEnd,
                        String(d.unpaid), "\(d.unpaidFinesYuan)")
        }
        lines.append(r.drivers.isEmpty ? "  " + words.label("none") : drivers.render(indent: "  "))
        if r.driverCount > 0 {
            lines.append("  " + Voice.say(Message("cli.report.chainDriversPage", ["page": .number(r.driverPage), "pages": .number(r.driverPages),
                                                                                 "count": .number(r.driverCount), "sort": .text(r.driverSort)])))
        }
        return lines.joined(separator: "\n")
    }

    static func text(_ r: ReportView) -> String {
        let words = Voice.words, near = " (\(words.label("nearProxyLimit")))", colon = words.language == .zhHans ? "：" : ":"
        func column(_ key: String) -> String { words.term("csv", key) }
        var lines = [Voice.say(Message("cli.report.title", ["from": .text(r.from), "to": .text(r.to)])), "", words.label("reportStaff") + colon]
        var staff = Table(column("name"), column("points_this_cycle"), column("points_remaining"), column("cycle_end"), column("violations"), column("open"),
                          column("fines_paid_yuan"), column("late_fees_paid_yuan"), column("paid_by_shop_yuan"), column("paid_by_driver_yuan"), column("paid_by_owner_yuan"),
                          column("plates_handled_this_year"))
        for s in r.staff {
            staff.add(s.staff.name, String(s.pointsThisCycle), String(s.pointsRemaining), s.cycleEnd, String(s.violations), String(s.open),
                      "\(s.finesPaidYuan)", "\(s.lateFeesPaidYuan)", "\(s.paidByShopYuan)", "\(s.paidByDriverYuan)", "\(s.paidByOwnerYuan)",
                      "\(s.platesHandledThisYear)\(s.proxyWatch ? near : "")")
        }
        let none = "  " + words.label("none")
        lines.append(r.staff.isEmpty ? none : staff.render(indent: "  "))
        lines += ["", words.label("reportVehicles") + colon]
        var cars = Table(column("plate"), column("violations"), column("points"), column("fines_yuan"), column("drivers"))
        for v in r.vehicles { cars.add(v.plate, String(v.violations), String(v.points), "\(v.finesYuan)", "\(v.drivers)\(v.proxyWatch ? near : "")") }
        lines.append(r.vehicles.isEmpty ? none : cars.render(indent: "  "))
        lines += ["", words.label("reportMonths") + colon]
        var months = Table(column("month"), column("violations"), column("points"), column("fines_yuan"), column("late_fees_paid_yuan"), column("paid_yuan"),
                           column("late_fee_difference_yuan"))
        for m in r.months {
            months.add(m.month, String(m.violations), String(m.points), "\(m.finesYuan)", "\(m.lateFeesPaidYuan)", "\(m.paidYuan)", "\(m.lateFeeDifferenceYuan)")
        }
        lines.append(r.months.isEmpty ? none : months.render(indent: "  "))
        return lines.joined(separator: "\n")
    }
}
