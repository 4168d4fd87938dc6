import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// A visit's custody report for the owner (R14): its movements, the readings and the km check, links to the print
    /// views (80 mm, A5), the text to copy into WeChat or an SMS; for a manager, the correction of a wrong reading.
    func visitReportPage(_ visitId: String, context: WebContext, error: (any Error)?, form: [String: String] = [:]) async throws -> HTML {
        let desk = desk(context)
        let report = try desk.visitReport(plate: nil, visit: visitId)
        let words = try words(context)
        let problem = error.map { self.problem($0, context) }
        func reading(_ value: Int?, unit: String) -> String { value.map { CustodyReportDocument.grouped($0) + unit } ?? "–" }
        var page: [String: Any] = ["visitId": report.visitId, "plate": report.plate, "path": WebApp.pathEncode(report.plate), "owner": report.owner]
        page["orderNo"] = report.orderNo ?? ""
        page["checkin"] = WebApp.shortTime(report.checkin)
        page["checkout"] = WebApp.shortTime(report.checkout)
        page["inShop"] = report.inShop
        page["odometerIn"] = reading(report.odometerIn, unit: " km")
        page["odometerOut"] = reading(report.odometerOut, unit: " km")
        page["fuelIn"] = reading(report.fuelIn, unit: "%")
        page["fuelOut"] = reading(report.fuelOut, unit: "%")
        page["kmDriven"] = report.kmDriven.map { CustodyReportDocument.grouped($0) } ?? "–"
        page["minutesDriven"] = report.minutesDriven
        page["flagged"] = report.flagged
        page["unexplainedKm"] = report.unexplainedKm.map(String.init) ?? ""
        page["reasons"] = report.reasons
        page["movements"] = report.movements.map { m -> [String: Any] in
            ["id": m.id, "staff": m.staff.name, "purpose": words.term("purpose", m.purpose), "start": WebApp.shortTime(m.start),
             "end": m.inProgress ? "…" : WebApp.shortTime(m.end), "minutes": m.minutes]
        }
        page["hasMovements"] = !report.movements.isEmpty
        page["text"] = report.text
        func typed(_ key: String, _ value: Int?) -> String { form[key] ?? value.map(String.init) ?? "" }
        page["form"] = ["odometerIn": typed("odometerIn", report.odometerIn), "odometerOut": typed("odometerOut", report.odometerOut),
                        "fuelIn": typed("fuelIn", report.fuelIn), "fuelOut": typed("fuelOut", report.fuelOut), "reason": form["reason"] ?? ""]
        page["error"] = problem?.message ?? ""
        page["hasError"] = problem != nil
        page["errorField"] = problem?.field ?? ""
        let status: HTTPResponse.Status = error == nil ? .ok : ((error as? DeskError)?.exitCode == 1 ? .conflict : .badRequest)
        return try await self.page("visit-report", nav: "vehicles", title: "custody.title", page, context: context, status: status)
    }
}

/// Custody reports: a visit's report page, its print views, the correction of its readings.
struct CustodyReportController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
        router.get("/visits/{id}/report") { request, context in
            try await app.visitReportPage(app.parameter("id", context), context: context, error: nil).response(from: request, context: context)
        }
        // The print view: 80 mm (one piece of the roll) or A5; `lang=en` adds the English lines.
        router.get("/visits/{id}/report/print") { request, context in
            let paper = try InviteDocument.Paper(parsing: request.uri.queryParameters["paper"].map(String.init) ?? "80mm")
            let report = try app.desk(context).visitReport(plate: nil, visit: app.parameter("id", context))
            let english = request.uri.queryParameters["lang"].map(String.init) == "en"
            return HTML(text: try CustodyReportDocument(report: report).html(paper: paper, templates: app.pages.templates, served: true, english: english))
        }
        // A wrong reading corrected, with the reason (a manager); an empty field leaves its reading as it is.
        router.post("/visits/{id}/edit") { request, context in
            let id = app.parameter("id", context)
            let form = app.form(context)
            do {
                let desk = app.desk(context)
                let report = try desk.visitReport(plate: nil, visit: id)
                func changed(_ key: String, _ now: Int?) -> String? {
                    let typed = (form[key] ?? "").trimmingCharacters(in: .whitespaces)
                    if typed.isEmpty { return now == nil ? nil : "none" }
                    return typed == now.map(String.init) ? nil : typed
                }
                let visit = try desk.editVisit(plate: report.plate, visit: id, odometerIn: changed("odometerIn", report.odometerIn),
                                               odometerOut: changed("odometerOut", report.odometerOut), fuelIn: changed("fuelIn", report.fuelIn),
                                               fuelOut: changed("fuelOut", report.fuelOut), reason: form["reason"])
                return await app.redirect("/visits/\(visit.id)/report", flash: app.saved("\(visit.plate) #\(visit.id)", context), context: context)
            } catch {
                try WebApp.rethrowIfNotForTheForm(error)
                return try await app.visitReportPage(id, context: context, error: error, form: form.fields).response(from: request, context: context)
            }
        }
        return router
    }
}
