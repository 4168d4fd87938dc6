import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    static func cleanupPage(_ view: CleanupView, words: Catalogue) -> [String: Any] {
        ["dryRun": view.dryRun, "hasActions": !view.actions.isEmpty,
         "actions": view.actions.map { a in
             ["kind": words.term("cleanupKind", a.kind), "kindClass": a.kind, "link": a.ref.map { "/invites/\($0)" } ?? a.violationId.map { "/violations/\($0)" } ?? "", "message": a.message, "reminder": a.reminder?.text ?? "", "to": a.reminder.map { "\($0.name) \($0.phone ?? "")" } ?? ""] as [String: Any]
         }]
    }
}

/// Simple SVG bar charts drawn on the server: no JavaScript, prints as it shows.
enum Charts {
    static func bars(_ values: [(String, Double)], max: Double?, unit: String) -> String {
        guard !values.isEmpty else { return "" }
        let top = Swift.max(max ?? 0, values.map(\.1).max() ?? 0, 1)
        let rowHeight = 26, labelWidth = 110, barWidth = 360
        let height = values.count * rowHeight + 8
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(labelWidth + barWidth + 70) \(height)\" width=\"\(labelWidth + barWidth + 70)\" height=\"\(height)\" role=\"img\">"
        for (index, (label, value)) in values.enumerated() {
            let y = index * rowHeight + 4
            let width = Int((value / top) * Double(barWidth))
            let tone = max != nil && value >= top * 0.75 ? "#b3261e" : max != nil && value >= top * 0.5 ? "#b35900" : "#0b5cad"
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 16)\" text-anchor=\"end\" font-size=\"13\">\(escape(label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(barWidth)\" height=\"16\" fill=\"#eef1f4\"/>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(width)\" height=\"16\" fill=\"\(tone)\"/>"
            svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 16)\" font-size=\"13\">\(formatted(value))\(unit)</text>"
        }
        return svg + "</svg>"
    }

    static func formatted(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Payments, cleanup, the report with its charts, the audit.
struct ManagerController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            // What is to pay and what was paid: one search for both (plate, driver, code); the paid ones 50 a page.
            router.get("/payments") { request, context in
                let payments = try app.desk(context).payments()
                let words = try app.words(context)
                let listing = Listing(path: "/payments", request: request)
                let (paid, list) = listing.apply(payments.paid, texts: WebApp.searchTexts, language: try app.language(context), pages: app.pages,
                                                 unit: "unitPayments", hint: "paymentsHint")
                return try await app.page("payments", nav: "payments", title: "payments.title", [
                    "list": list,
                    "toPay": payments.toPay.filter { listing.matches(WebApp.searchTexts($0)) }.map { WebApp.violationRow($0, words) },
                    "paid": paid.map { v -> [String: Any] in
                        var row = WebApp.violationRow(v, words)
                        row["paid"] = v.paidYuan.map(words.money(yuan:)) ?? ""
                        row["payer"] = v.payer.map { words.term("payer", $0) } ?? ""
                        row["method"] = v.payMethod.map { words.term("payMethod", $0) } ?? ""
                        row["paidAt"] = WebApp.shortTime(v.paidAt)
                        row["difference"] = v.lateFeeDifferenceYuan.map(words.money(yuan:)) ?? ""
                        return row
                    },
                ], context: context)
            }
            // Cleanup: first what would happen, then a button that does it.
            router.get("/cleanup") { _, context in
                let preview = try app.desk(context).cleanup(dryRun: true)
                return try await app.page("cleanup", nav: "cleanup", title: "cleanup.title", WebApp.cleanupPage(preview, words: try app.words(context)), context: context)
            }
            router.post("/cleanup") { _, context in
                let result = try app.desk(context).cleanup(dryRun: false)
                return try await app.page("cleanup", nav: "cleanup", title: "cleanup.title", WebApp.cleanupPage(result, words: try app.words(context)), context: context)
            }
            router.get("/report") { request, context in
                let from = request.uri.queryParameters["from"].flatMap { $0.isEmpty ? nil : String($0) }
                let to = request.uri.queryParameters["to"].flatMap { $0.isEmpty ? nil : String($0) }
                let report = try app.desk(context).report(from: from, to: to)
                let config = try app.config()
                return try await app.page("report", nav: "report", title: "report.title", [
                    "from": report.from, "to": report.to,
                    "staff": report.staff.map { s in
                        ["name": s.staff.name, "points": s.pointsThisCycle, "left": s.pointsRemaining, "cycleEnd": s.cycleEnd, "violations": s.violations,
                         "open": s.open, "fines": "\(s.finesPaidYuan)", "late": "\(s.lateFeesPaidYuan)", "shop": "\(s.paidByShopYuan)",
                         "driver": "\(s.paidByDriverYuan)", "owner": "\(s.paidByOwnerYuan)", "plates": s.platesHandledThisYear, "watch": s.proxyWatch] as [String: Any]
                    },
                    "vehicles": report.vehicles.prefix(50).map { ["plate": $0.plate, "violations": $0.violations, "points": $0.points, "fines": "\($0.finesYuan)", "drivers": $0.drivers, "watch": $0.proxyWatch] as [String: Any] },
                    "months": report.months.map { ["month": $0.month, "violations": $0.violations, "points": $0.points, "fines": "\($0.finesYuan)", "late": "\($0.lateFeesPaidYuan)", "paid": "\($0.paidYuan)", "difference": "\($0.lateFeeDifferenceYuan)"] as [String: Any] },
                    "pointsChart": Charts.bars(report.staff.map { ($0.staff.name, Double($0.pointsThisCycle)) }, max: Double(config.int(.scoringCycleMax)), unit: ""),
                    "finesChart": Charts.bars(report.months.map { ($0.month, NSDecimalNumber(decimal: $0.finesYuan).doubleValue) }, max: nil, unit: ""),
                ], context: context)
            }
            // The audit, newest first, 50 entries a page, in words; the filters (person, action, days) as choices.
            router.get("/audit") { request, context in
                let filter = AuditFilterForm(query: request.uri.query ?? "")
                let view = try app.desk(context).auditPage(since: filter.since, until: filter.until, person: filter.person, action: filter.action,
                                                           page: filter.page)
                let words = try app.words(context)
                return try await app.page("audit", nav: "audit", title: "audit.title", AuditPageModel.make(view, filter: filter, words: words,
                                                                                                              pages: app.pages), context: context)
            }
            // The same entries as a CSV file for Excel (UTF-8 with a BOM), every one the filters let through.
            router.get("/audit.csv") { request, context -> Response in
                let filter = AuditFilterForm(query: request.uri.query ?? "")
                let data = try app.desk(context).auditCSV(since: filter.since, until: filter.until, person: filter.person, action: filter.action)
                let config = try app.config()
                let name = "audit-\(config.time.civilDate(of: app.settings.clock())).csv"
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"",
                                                       .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        return router
    }
}
