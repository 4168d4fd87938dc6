import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// One movement, with its corrections: an edit form (driver, times, purpose, reason) and a void.
    func movementPage(_ id: String, context: WebContext, form: [String: String], error: (any Error)?) async throws -> HTML {
        let desk = desk(context)
        let m = try desk.movement(id)
        let problem = error.map { self.problem($0, context) }
        let words = try words(context)
        let chosen = form["staff"] ?? String(m.staff.id)
        let expiredWord = pages.text("staff.expired", try language(context))
        let expired = "（" + expiredWord + "）"
        return try await page("movement", nav: "moves", title: "moves.title", [
            "id": String(m.id), "plate": m.plate, "path": WebApp.pathEncode(m.plate), "driver": m.staff.name, "purpose": words.term("purpose", m.purpose),
            "start": WebApp.shortTime(m.startAt), "end": m.inProgress ? "…" : WebApp.shortTime(m.endAt),
            "staff": try desk.staffList().filter(\.active).map { s in
                ["id": String(s.id), "name": s.name, "selected": String(s.id) == chosen, "note": s.mayNotDrive == nil ? "" : expired] as [String: Any]
            },
            "purposes": MovementPurpose.allCases.map { ["value": $0.rawValue, "label": words.term("purpose", $0.rawValue), "selected": $0.rawValue == (form["purpose"] ?? m.purpose)] },
            "from": form["from"] ?? String(m.startAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
            "to": form["to"] ?? (m.endAt.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? ""),
            "reason": form["reason"] ?? "",
            "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
        ], context: context, status: error == nil ? .ok : ((error as? DeskError)?.exitCode == 1 ? .conflict : .badRequest))
    }
}

/// Corrections where the record is shown (docs/rulebook.md, "Corrections"): a movement edited on its own page, a
/// staff member's and a car's details, undoing a check-out, a payment, a confirmation or a removal, confirming the
/// proposed driver and handing a violation back to its owner. Each asks for a reason where the rule wants one.
struct CorrectionController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/moves/{id}") { _, context in
                try await app.movementPage(app.parameter("id", context), context: context, form: [:], error: nil)
            }
            router.post("/moves/{id}/edit") { request, context in
                let id = app.parameter("id", context), form = app.form(context)
                do {
                    let view = try app.desk(context).editMovement(id, staff: MoveChoices.chosen(form["staff"]), from: MoveChoices.chosen(form["from"]),
                                                                   to: MoveChoices.chosen(form["to"]), purpose: MoveChoices.chosen(form["purpose"]), reason: form["reason"])
                    let changes = view.driverChanges.map { "#\($0.violationId): \($0.from?.name ?? "—") → \($0.to?.name ?? "—")" }
                    return await app.redirect("/moves/\(view.movement.id)", flash: ([app.saved("#\(view.movement.id)", context)] + view.warnings + changes).joined(separator: " "), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.movementPage(id, context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            router.post("/staff/{id}/update") { request, context in
                let id = app.parameter("id", context), form = app.form(context)
                do {
                    let staff = try app.desk(context).updateStaff(id, name: MoveChoices.chosen(form["name"]), phone: form["phone"],
                                                                   licenseClass: MoveChoices.chosen(form["licenseClass"]), licenseFirstIssued: MoveChoices.chosen(form["licenseFirstIssued"]),
                                                                   licenseValidUntil: MoveChoices.chosen(form["licenseValidUntil"]))
                    return await app.redirect("/staff/\(staff.id)", flash: app.saved("\(staff.name)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.staffMemberPage(id, context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            router.post("/vehicles/{plate}/update") { request, context in
                let plate = app.parameter("plate", context), form = app.form(context)
                do {
                    let v = try app.desk(context).updateVehicle(plate: plate, owner: MoveChoices.chosen(form["owner"]), ownerPhone: form["ownerPhone"],
                                                                 engineLast6: form["engineLast6"], usage: MoveChoices.chosen(form["usage"]), size: MoveChoices.chosen(form["size"]))
                    return await app.redirect("/vehicles/\(WebApp.pathEncode(v.plate))", flash: app.saved("\(v.plate)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.vehiclePage(plate, context: context, error: error, form: form.fields).response(from: request, context: context)
                }
            }
            router.post("/vehicles/{plate}/reopen") { request, context in
                let plate = app.parameter("plate", context), form = app.form(context)
                do {
                    let visit = try app.desk(context).reopenVisit(plate: plate, reason: form["reason"])
                    return await app.redirect("/vehicles/\(WebApp.pathEncode(visit.plate))", flash: app.saved("\(visit.plate)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.vehiclePage(plate, context: context, error: error).response(from: request, context: context)
                }
            }
            for action in ["confirm", "unpay", "handback"] {
                router.post("/violations/{id}/\(action)") { request, context in
                    let id = app.parameter("id", context), form = app.form(context)
                    do {
                        let desk = app.desk(context)
                        switch action {
                        case "confirm": _ = try desk.confirmViolation(id, reason: form["reason"])
                        case "unpay": _ = try desk.unpayViolation(id, reason: form["reason"])
                        default: _ = try desk.handBackViolation(id, reason: form["reason"])
                        }
                        return await app.redirect("/violations/\(id)", flash: app.saved("", context), context: context)
                    } catch {
                        try WebApp.rethrowIfNotForTheForm(error)
                        return try await app.violationPage(id, context: context, form: form.fields, error: error).response(from: request, context: context)
                    }
                }
            }
        return router
    }
}
