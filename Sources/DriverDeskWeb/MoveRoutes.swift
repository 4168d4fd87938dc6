import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// The movements page. `choices` is what each form remembers; `scan` is what a scan that found no single car says
    /// (`message`, and `candidates` to pick from); `logForm` and `logError` re-show the 补录 form as it was sent.
    func movesPage(plate: String?, context: WebContext, choices: MoveChoices, error: (any Error)? = nil, scan: [String: Any] = [:],
                   logForm: [String: String] = [:], logError: (any Error)? = nil, httpStatus: HTTPResponse.Status? = nil,
                   listing: Listing? = nil) async throws -> HTML {
        let desk = desk(context)
        // The latest movements, searched by plate or driver among the last 2,000 (older ones: the car's or the staff
        // member's page, or `driverdesk move list`), 50 a page.
        let listing = listing ?? Listing(path: "/moves", query: "", page: 1)
        let (recent, list) = listing.apply(try desk.movements(plate: nil, staff: nil, from: nil, to: nil, limit: 2_000), texts: { [$0.plate, $0.staff.name, "#\($0.id)"] },
                                           language: try language(context), pages: pages, unit: "unitMoves", hint: "movesHint")
        let status = try desk.status()
        let config = try config()
        let problem = error.map { self.problem($0, context) }
        let logProblem = logError.map { self.problem($0, context) }
        let words = try words(context)
        func purposes(_ chosen: String?, _ fallback: String) -> [[String: Any]] {
            MovementPurpose.allCases.map { ["value": $0.rawValue, "label": words.term("purpose", $0.rawValue), "selected": $0.rawValue == (chosen ?? fallback)] }
        }
        let staff = try desk.staffList().filter(\.active)
        // Who may not drive today (R13) is marked in the choice, in few words; his page says why.
        let expiredWord = pages.text("staff.expired", try language(context))
        let expired = "（" + expiredWord + "）"
        func staffOptions(_ chosen: String?) -> [[String: Any]] {
            staff.map { s in
                ["id": String(s.id), "name": s.name, "selected": String(s.id) == chosen || s.name == chosen,
                 "note": s.mayNotDrive == nil ? "" : expired] as [String: Any]
            }
        }
        let undo = TimeInterval(config.int(.movementUndoMinutes) * 60)
        let now = settings.clock()
        var started: [String: Any] = [:]
        if let just = choices.justStarted, now.timeIntervalSince(just.at) <= max(undo, 0) {
            started = ["id": String(just.movementId), "plate": just.plate, "staff": just.staff, "purpose": words.term("purpose", just.purpose),
                       "undoText": pages.text("moves.undoWithin", try language(context), ["minutes": String(config.int(.movementUndoMinutes))]), "canUndo": undo > 0]
        }
        return try await page("moves", nav: "moves", title: "moves.title", [
            "plate": plate ?? "",
            "staff": staffOptions(choices.startStaff),
            "nobodyChosen": choices.startStaff == nil,
            "purposes": purposes(choices.startPurpose, "road-test"),
            "logStaff": staffOptions(choices.logStaff),
            "logNobodyChosen": choices.logStaff == nil,
            "logPurposes": purposes(choices.logPurpose, "road-test"),
            "started": started, "hasStarted": !started.isEmpty,
            "driving": status.driving.map { ["plate": $0.plate, "driver": $0.driver?.name ?? "", "since": WebApp.shortTime($0.drivingSince), "purpose": $0.purpose.map { words.term("purpose", $0) } ?? ""] },
            "inShop": status.carsInShop.filter { $0.driver == nil }.map { ["plate": $0.plate, "owner": $0.owner] },
            "list": list,
            "recent": recent.map {
                ["id": String($0.id), "plate": $0.plate, "staff": $0.staff.name, "purpose": words.term("purpose", $0.purpose), "start": WebApp.shortTime($0.startAt),
                 "end": $0.inProgress ? "…" : WebApp.shortTime($0.endAt)]
            },
            "logForm": logForm, "logError": logProblem?.message ?? "", "hasLogError": logProblem != nil, "logErrorField": logProblem?.field ?? "",
            "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
            "scan": scan.merging(["hasMessage": scan["message"] != nil, "hasCandidates": scan["candidates"] != nil]) { old, _ in old },
        ], context: context, status: httpStatus ?? (error == nil && logError == nil ? .ok : .badRequest))
    }
}

/// Movements with big buttons; scanning a key tag starts or ends that car's movement for the chosen staff member.
struct MoveController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/moves") { request, context in
                let plate = request.uri.queryParameters["plate"].map { String($0).removingPercentEncoding ?? String($0) }
                return try await app.movesPage(plate: plate, context: context, choices: context.session?.moves ?? MoveChoices(),
                                               listing: Listing(path: "/moves", request: request))
            }
            // One button, or one scan: ends the car's movement if it is being driven, else starts one for the driver chosen.
            router.post("/moves/toggle") { request, context in
                let form = app.form(context)
                let desk = app.desk(context)
                let session = context.session!
                // The start form's choices are remembered whatever comes of this try; a driving-now row's "end" sends none.
                var choices = session.moves
                if form["staff"] != nil { choices.startStaff = MoveChoices.chosen(form["staff"]) }
                if form["purpose"] != nil { choices.startPurpose = MoveChoices.chosen(form["purpose"]) }
                let remembered = choices
                await app.sessions.modify(session.id) { $0.moves = remembered }
                do {
                    // The key tag's token, a plate, or a plate that lost its Chinese characters (an old tag, typed by a scanner in
                    // keyboard mode); several matching cars or none: the page says so and nothing is written.
                    let raw = form["plate"] ?? ""
                    let language = try app.language(context)
                    let action = ScanAction(rawValue: form["action"] ?? "") ?? .toggle
                    switch try desk.toggleMovement(scan: raw, action: action, staff: choices.startStaff, purpose: choices.startPurpose, at: form["at"]) {
                    case .candidates(let plates, let read):
                        return try await app.movesPage(plate: nil, context: context, choices: choices, scan: [
                            "message": app.pages.text("scan.several", language, ["read": WebApp.shown(read)]),
                            "candidates": plates.map { ["plate": $0, "href": "/moves?plate=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)] },
                        ]).response(from: request, context: context)
                    case .unknown(let read):
                        // An invite slip is no car either: the page names the whole scan, as it arrived.
                        return try await app.movesPage(plate: nil, context: context, choices: choices,
                                                        scan: ["message": app.pages.text("moves.unknown", language, ["read": WebApp.shown(read)])], httpStatus: .notFound)
                            .response(from: request, context: context)
                    case .ended(let m):
                        return await app.redirect("/moves", flash: "■ \(m.plate) · \(m.staff.name) · \(m.minutes ?? 0) \(app.pages.text("common.minutes", language))", context: context)
                    case .started(let m):
                        let started = MoveChoices.JustStarted(movementId: m.id, plate: m.plate, staff: m.staff.name, purpose: m.purpose, at: app.settings.clock())
                        await app.sessions.modify(session.id) { $0.moves.justStarted = started }
                        return await app.redirect("/moves", flash: m.warnings.isEmpty ? nil : m.warnings.joined(separator: " "), context: context)
                    }
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.movesPage(plate: form["plate"], context: context, choices: choices, error: error).response(from: request, context: context)
                }
            }
            // 补录: a movement that has already ended; its own driver and purpose, kept apart from the start form's.
            router.post("/moves/log") { request, context in
                let form = app.form(context)
                let session = context.session!
                var choices = session.moves
                choices.logStaff = MoveChoices.chosen(form["staff"])
                choices.logPurpose = MoveChoices.chosen(form["purpose"])
                let remembered = choices
                await app.sessions.modify(session.id) { $0.moves = remembered }
                do {
                    guard let staff = choices.logStaff else { throw DeskError.invalid(field: "staff", reason: Message("input.move.chooseStaff")) }
                    let m = try app.desk(context).logMovement(plate: form["plate"] ?? "", staff: staff, from: form["from"] ?? "", to: form["to"] ?? "", purpose: choices.logPurpose)
                    let note = app.saved("\(m.plate) · \(m.staff.name) · \(WebApp.shortTime(m.startAt))–\(WebApp.shortTime(m.endAt))", context)
                    return await app.redirect("/moves", flash: ([note] + m.warnings).joined(separator: " "), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.movesPage(plate: nil, context: context, choices: choices, logForm: form.fields, logError: error)
                        .response(from: request, context: context)
                }
            }
            // The undo of a start just made: voids it (the desk its own, within `movement.undoMinutes`).
            router.post("/moves/void") { request, context in
                let form = app.form(context)
                let session = context.session!
                do {
                    let language = try app.language(context)
                    let reason = MoveChoices.chosen(form["reason"]) ?? app.pages.text("moves.undoReason", language)
                    let view = try app.desk(context).voidMovement(form["id"] ?? "", reason: reason)
                    await app.sessions.modify(session.id) { if $0.moves.justStarted?.movementId == view.movement.id { $0.moves.justStarted = nil } }
                    let changes = view.driverChanges.map { "#\($0.violationId): \($0.from?.name ?? "—") → \($0.to?.name ?? "—")" }
                    let back = form["back"].flatMap { WebApp.isLocalPath($0) ? $0 : nil } ?? "/moves"
                    return await app.redirect(back, flash: ([app.pages.text("moves.voided", language, ["movement": "#\(view.movement.id)", "plate": view.movement.plate, "staff": view.movement.staff.name])] + changes)
                        .joined(separator: " "), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.movesPage(plate: nil, context: context, choices: session.moves, error: error).response(from: request, context: context)
                }
            }
        return router
    }
}
