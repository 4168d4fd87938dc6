import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// Movements with big buttons; scanning a key tag starts or ends that car's movement for the chosen staff member.
    func addMoveRoutes(_ router: Router<WebContext>) {
        router.get("/moves") { request, context in
            let plate = request.uri.queryParameters["plate"].map { String($0).removingPercentEncoding ?? String($0) }
            return try await self.movesPage(plate: plate, context: context, form: [:], error: nil)
        }
        // One button, or one scan: ends the car's movement if it is being driven, else starts one.
        router.post("/moves/toggle") { request, context in
            let form = self.form(context)
            let desk = self.desk(context)
            var session = context.session!
            if let staff = form["staff"] { session.lastStaff = staff; await self.sessions.update(session) }
            do {
                // The key tag's token, a plate, or a plate that lost its Chinese characters (an old tag, typed by a scanner in
                // keyboard mode); several matching cars or none: the page says so and nothing is written.
                let raw = form["plate"] ?? ""
                let plate: Plate
                let language = try self.language(context)
                switch try desk.scan(raw) {
                case .vehicle(let text):
                    plate = try Plate(text)
                case .candidates(let plates, let read):
                    return try await self.movesPage(plate: nil, context: context, form: form.fields, error: nil, scan: [
                        "message": self.pages.text("scan.several", language, WebApp.shown(read)),
                        "candidates": plates.map { ["plate": $0, "href": "/moves?plate=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)] },
                    ]).response(from: request, context: context)
                case .unknown where !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, .invite:
                    // An invite slip is no car either: the page names the whole scan, as it arrived.
                    return try await self.movesPage(plate: nil, context: context, form: form.fields, error: nil,
                                                    scan: ["message": self.pages.text("moves.unknown", language, WebApp.shown(raw))], httpStatus: .notFound)
                        .response(from: request, context: context)
                case .unknown:
                    plate = try Plate(raw)
                }
                let driving = try desk.status().driving.contains { $0.plate == plate.text }
                let action = form["action"] ?? "toggle"
                if action == "end" || (action == "toggle" && driving) {
                    let m = try desk.endMovement(plate: plate.text, at: form["at"])
                    return await self.redirect("/moves", flash: "■ \(m.plate) · \(m.staff.name) · \(m.minutes ?? 0) \(self.pages.text("common.minutes", try self.language(context)))", context: context)
                }
                guard let staff = form["staff"] else { throw DeskError.invalid(field: "staff", reason: Message("input.move.chooseStaff")) }
                let m = try desk.startMovement(plate: plate.text, staff: staff, purpose: form["purpose"], at: form["at"])
                return await self.redirect("/moves", flash: "▶ \(m.plate) · \(m.staff.name) · \((try? self.words(context))?.term("purpose", m.purpose) ?? m.purpose)", context: context)
            } catch {
                try WebApp.rethrowIfForbidden(error)
                return try await self.movesPage(plate: form["plate"], context: context, form: form.fields, error: error).response(from: request, context: context)
            }
        }
        router.post("/moves/log") { request, context in
            let form = self.form(context)
            do {
                let m = try self.desk(context).logMovement(plate: form["plate"] ?? "", staff: form["staff"] ?? "", from: form["from"] ?? "", to: form["to"] ?? "", purpose: form["purpose"])
                return await self.redirect("/moves", flash: "✓ \(m.plate) · \(m.staff.name)", context: context)
            } catch {
                try WebApp.rethrowIfForbidden(error)
                return try await self.movesPage(plate: form["plate"], context: context, form: form.fields, error: error).response(from: request, context: context)
            }
        }
    }

    /// The movements page; `scan` is what a scan that found no single car says (`message`, and `candidates` to pick from).
    func movesPage(plate: String?, context: WebContext, form: [String: String], error: (any Error)?, scan: [String: Any] = [:],
                   httpStatus: HTTPResponse.Status? = nil) async throws -> HTML {
        let desk = desk(context)
        let status = try desk.status()
        let chosen = form["staff"] ?? context.session?.lastStaff ?? ""
        let problem = error.map { self.problem($0, context) }
        let words = try words(context)
        let purposes = MovementPurpose.allCases.map { ["value": $0.rawValue, "label": words.term("purpose", $0.rawValue), "selected": $0.rawValue == (form["purpose"] ?? "road-test")] }
        return try await page("moves", nav: "moves", title: "moves.title", [
            "plate": plate ?? "",
            "staff": try desk.staffList().filter(\.active).map { ["id": String($0.id), "name": $0.name, "selected": String($0.id) == chosen] as [String: Any] },
            "purposes": purposes,
            "driving": status.driving.map { ["plate": $0.plate, "driver": $0.driver?.name ?? "", "since": WebApp.shortTime($0.drivingSince), "purpose": $0.purpose.map { words.term("purpose", $0) } ?? ""] },
            "inShop": status.carsInShop.filter { $0.driver == nil }.map { ["plate": $0.plate, "owner": $0.owner] },
            "recent": try desk.movements(plate: nil, staff: nil, from: nil, to: nil, limit: 15).map {
                ["plate": $0.plate, "staff": $0.staff.name, "purpose": words.term("purpose", $0.purpose), "start": WebApp.shortTime($0.startAt), "end": $0.inProgress ? "…" : WebApp.shortTime($0.endAt)]
            },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
            "scan": scan.merging(["hasMessage": scan["message"] != nil, "hasCandidates": scan["candidates"] != nil]) { old, _ in old },
        ], context: context, status: httpStatus ?? (error == nil ? .ok : .badRequest))
    }
}
