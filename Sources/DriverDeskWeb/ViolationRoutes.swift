import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// The violations, newest first, of one status or all: searched by plate, driver, code, place or record number,
    /// 50 a page.
    func violationsPage(context: WebContext, form: [String: String], status: String?, error: (any Error)?, imported: ImportView? = nil,
                        listing: Listing? = nil) async throws -> HTML {
        let desk = desk(context)
        let problem = error.map { self.problem($0, context) }
        let status = status.flatMap { $0.isEmpty ? nil : $0 }
        let listing = listing ?? Listing(path: "/violations", query: "", page: 1)
        let (rows, list) = listing.apply(try desk.violationList(status: status),
                                         texts: WebApp.searchTexts,
                                         language: try language(context), pages: pages, unit: "unitViolations", hint: "violationsHint")
        let words = try words(context)
        return try await page("violations", nav: "violations", title: "violations.title", [
            "violations": rows.map { WebApp.violationRow($0, words) }, "list": list, "allOn": status == nil,
            "statuses": [ViolationStatus.open, .processed, .paid].map { ["value": $0.rawValue, "label": words.term("violationStatus", $0.rawValue), "on": $0.rawValue == status] },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
            "hasImport": imported != nil,
            "import": imported.map { i in
                ["summary": pages.text(i.dryRun ? "violations.checked" : "violations.importedCount", words.language.rawValue,
                                       ["added": String(i.added), "skipped": String(i.skipped), "records": String(i.records), "review": String(i.needsReview)]),
                 "dryRun": i.dryRun,
                 "preview": (i.preview ?? []).map { line in
                     ["line": line.line.map(String.init) ?? "", "plate": line.plate, "when": WebApp.shortTime(line.occurredAt), "code": line.code,
                      "driver": line.driver?.name ?? "—", "attribution": words.term("attribution", line.attribution), "review": line.needsReview] as [String: Any]
                 },
                 "more": (i.preview?.count ?? 0) < i.records ? pages.text("violations.previewMore", words.language.rawValue, ["shown": String(i.preview?.count ?? 0), "records": String(i.records)]) : ""] as [String: Any]
            } ?? [:],
        ], context: context, status: error == nil ? .ok : .badRequest)
    }

    /// What a violation is found by: plate, driver, code, place, record number, `#id`.
    static func searchTexts(_ v: ViolationView) -> [String] {
        let driver: String = v.driver?.name ?? ""
        return [v.plate, driver, v.code, v.location ?? "", v.recordNo ?? "", "#\(v.id)"]
    }

    /// A violation's row, every value of the vocabulary in the page's language (`next` stays the CSS class).
    static func violationRow(_ v: ViolationView, _ words: Catalogue) -> [String: Any] {
        ["id": v.id, "plate": v.plate, "when": shortTime(v.occurredAt), "code": v.code, "points": v.points, "fine": words.money(yuan: v.fineYuan),
         "driver": v.driver?.name ?? "—", "attribution": words.term("attribution", v.attribution), "review": v.needsReview,
         "channel": v.channel.map { words.term("channel", $0) } ?? "—", "status": words.term("violationStatus", v.status), "next": v.nextAction,
         "nextText": words.term("nextAction", v.nextAction), "total": v.totalDueYuan.map(words.money(yuan:)) ?? "", "due": v.dueDate ?? ""]
    }

    func violationPage(_ id: String, context: WebContext, form: [String: String], error: (any Error)?) async throws -> HTML {
        let desk = desk(context)
        let v = try desk.showViolation(id)
        let problem = error.map { self.problem($0, context) }
        let words = try words(context)
        var page = WebApp.violationRow(v, words)
        page["location"] = v.location ?? ""
        page["description"] = v.description ?? ""
        page["recordNo"] = v.recordNo ?? ""
        page["attributionReasons"] = v.attributionReasons
        page["channelReasons"] = v.channelReasons
        page["onlineFrom"] = v.onlineFrom ?? ""
        page["lateFee"] = v.lateFeeYuan.map(words.money(yuan:)) ?? ""
        page["paid"] = v.paidYuan.map { "\(words.money(yuan: $0)) · \(v.payer.map { words.term("payer", $0) } ?? "") · \(v.payMethod.map { words.term("payMethod", $0) } ?? "") · \(WebApp.shortTime(v.paidAt))" } ?? ""
        page["assignedBy"] = v.assignedBy.map { "\($0): \(v.assignReason ?? "")" } ?? ""
        page["isOpen"] = v.status == "open"
        page["canDecide"] = v.status == "open" && !v.needsReview && v.driver != nil
        page["canConfirm"] = v.status == "open" && v.needsReview && v.driver != nil
        page["canHandBack"] = v.status == "open" && v.attribution == "outsideCustody"
        page["canAssign"] = ["open", "processed", "paid"].contains(v.status) && v.attribution != "outsideCustody"
        page["isPaid"] = v.status == "paid"
        page["difference"] = v.lateFeeDifferenceYuan.map { (words.money(yuan: $0)) } ?? ""
        page["handBack"] = try desk.handBackText(id) ?? ""
        page["handBackReason"] = v.handBackReason ?? ""
        page["isProcessed"] = v.status == "processed"
        page["isOnline"] = v.channel == "online"
        page["staff"] = try desk.staffList().filter(\.active).map { ["id": String($0.id), "name": $0.name] }
        page["methods"] = PaymentMethod.allCases.map { ["value": $0.rawValue, "label": words.term("payMethod", $0.rawValue)] }
        page["form"] = form
        page["error"] = problem?.message ?? ""
        page["hasError"] = problem != nil
        return try await self.page("violation", nav: "violations", title: "violations.title", page, context: context,
                                   status: error == nil ? .ok : ((error as? DeskError)?.exitCode == 1 ? .conflict : .badRequest))
    }
}

/// Violations: entry that shows attribution, channel and reasons at once; each violation with assign, process and pay.
struct ViolationController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/violations") { request, context in
                let plate = request.uri.queryParameters["plate"].map { String($0).removingPercentEncoding ?? String($0) }
                let status = request.uri.queryParameters["status"].map(String.init)
                return try await app.violationsPage(context: context, form: ["plate": plate ?? ""], status: status, error: nil,
                                                    listing: Listing(path: "/violations", request: request, keep: ["status"]))
            }
            router.post("/violations") { request, context in
                let form = app.form(context)
                do {
                    let v = try app.desk(context).addViolation(plate: form["plate"] ?? "", at: form["at"] ?? "", code: form["code"] ?? "", points: form["points"],
                                                                fine: form["fine"], location: form["location"], recordNo: form["recordNo"])
                    return await app.redirect("/violations/\(v.id)", flash: app.saved("#\(v.id)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.violationsPage(context: context, form: form.fields, status: nil, error: error).response(from: request, context: context)
                }
            }
            // CSV upload: the same checks as `violation import`; any bad line imports nothing and every bad line is shown.
            router.post("/violations/import") { request, context in
                let form = app.form(context)
                do {
                    guard let file = form.files["file"], !file.data.isEmpty else {
                        throw DeskError.invalid(field: "file", reason: Message("input.import.chooseFile"))
                    }
                    let view = try app.desk(context).importViolations(data: file.data, name: file.name, dryRun: form["dryRun"] != nil)
                    return try await app.violationsPage(context: context, form: [:], status: nil, error: nil, imported: view).response(from: request, context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.violationsPage(context: context, form: [:], status: nil, error: error).response(from: request, context: context)
                }
            }
            router.get("/violations/{id}") { _, context in
                try await app.violationPage(app.parameter("id", context), context: context, form: [:], error: nil)
            }
            router.post("/violations/{id}/assign") { request, context in
                let id = app.parameter("id", context), form = app.form(context)
                do {
                    _ = try app.desk(context).assignViolation(id, staff: form["staff"] ?? "", reason: form["reason"] ?? "")
                    return await app.redirect("/violations/\(id)", flash: app.saved("", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.violationPage(id, context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            router.post("/violations/{id}/process") { request, context in
                let id = app.parameter("id", context), form = app.form(context)
                do {
                    let outcome = try app.desk(context).processViolation(id, window: form["channel"] == "window", at: form["at"])
                    return await app.redirect("/violations/\(id)", flash: ([app.saved("#\(id)", context)] + outcome.warnings).joined(separator: " "), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.violationPage(id, context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            router.post("/violations/{id}/pay") { request, context in
                let id = app.parameter("id", context), form = app.form(context)
                do {
                    let outcome = try app.desk(context).payViolation(id, method: form["method"] ?? "", payer: form["payer"], amount: form["amount"], at: form["at"])
                    var notes = [app.saved("#\(id)", context)] + outcome.warnings
                    // The fines of that car are paid: the registration to remove is one click away, with the owner's text.
                    var link: FlashLink?
                    if let ref = outcome.removalDue {
                        let language = try app.language(context)
                        notes.append(app.pages.text("invites.removalNow", language, ["ref": ref, "staff": outcome.violation.driver?.name ?? "", "plate": outcome.violation.plate]))
                        link = FlashLink(href: "/invites/\(ref)", text: app.pages.text("invites.removalOpen", language))
                    }
                    return await app.redirect("/violations/\(id)", flash: notes.joined(separator: " "), link: link, context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.violationPage(id, context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
        return router
    }
}
