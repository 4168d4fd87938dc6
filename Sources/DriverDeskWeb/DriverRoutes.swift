import DriverDeskApp
import Foundation
import Hummingbird

/// The pages of a driver's phone: what his account may open, and where he lands.
enum DriverPages {
    /// His own page.
    static let home = "/me"

    /// Whether a driver's session may open `path`: a key tag's link, his page, logging in and out, the language, the
    /// stylesheet and script. Everything else of the shop is not his.
    static func allows(_ path: String) -> Bool {
        path == home || path.hasPrefix("/k/") || path == "/login" || path == "/logout" || path == "/lang" || path.hasPrefix("/static/")
    }

    /// Where a login goes back to: a key tag's link on this site, or nil.
    static func next(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/k/"), WebApp.isLocalPath(raw), !raw.contains("?") else { return nil }
        return raw
    }
}

extension WebApp {
    /// A key tag's link on a driver's phone: the car, big, and one button: start (with the purpose) or end. A refusal
    /// (not in the shop, someone else drives it, since when) in place of the button.
    func driverCarPage(token: String, context: WebContext, error: (any Error)? = nil, chosenPurpose: String? = nil) async throws -> HTML {
        let desk = desk(context)
        let words = try words(context)
        var page: [String: Any] = ["token": token]
        var status: HTTPResponse.Status = .ok
        do {
            if let error { throw error }
            let car = try desk.driverCar(token: token)
            page["plate"] = car.plate
            page["token"] = car.token
            if let movement = car.movement {
                page["end"] = ["since": WebApp.shortTime(movement.startAt).suffix(5).description, "purpose": words.term("purpose", movement.purpose)]
            } else {
                page["start"] = ["purposes": MovementPurpose.allCases.map { p in
                    ["value": p.rawValue, "label": words.term("purpose", p.rawValue), "checked": p.rawValue == (chosenPurpose ?? MovementPurpose.roadTest.rawValue)] as [String: Any]
                }]
            }
        } catch {
            try WebApp.rethrowIfNotForTheForm(error)
            let problem = self.problem(error, context)
            page["error"] = problem.message
            if page["plate"] == nil, let plate = try? desk.driverPlate(token: token) { page["plate"] = plate }
            status = switch error as? DeskError {
            case .notFound?: .notFound
            case .invalid?: .badRequest
            default: .conflict
            }
        }
        return try await self.page("driver-car", nav: "me", title: "driver.carTitle", page, context: context, status: status)
    }

    /// A driver's own page: driving now, today's movements, his violations and what each asks of him, registrations
    /// to have removed, his points in the cycle and his registration slots.
    func driverHomePage(context: WebContext) async throws -> HTML {
        let home = try desk(context).driverHome()
        let config = try config()
        let words = try words(context)
        func time(_ iso: String?) -> String { String(WebApp.shortTime(iso).suffix(5)) }
        let page: [String: Any] = [
            "name": home.staff.name,
            "driving": home.driving.map { ["plate": $0.plate, "since": time($0.startAt), "purpose": words.term("purpose", $0.purpose),
                                           "href": "/k/" + KeyTagLinks.token(of: $0.plate)] } ?? [:],
            "today": home.today.map { m in
                ["plate": m.plate, "purpose": words.term("purpose", m.purpose), "start": time(m.startAt), "end": m.inProgress ? "…" : time(m.endAt),
                 "minutes": m.minutes.map(String.init) ?? ""] as [String: Any]
            },
            "hasToday": !home.today.isEmpty,
            "violations": home.violations.map { v in
                ["plate": v.plate, "when": WebApp.shortTime(v.occurredAt), "location": v.location ?? "", "points": v.points, "fine": "\(v.fineYuan)",
                 "next": words.term("nextAction", v.nextAction), "todo": home.todo[v.id] ?? "", "urgent": v.nextAction == "overdue"] as [String: Any]
            },
            "hasViolations": !home.violations.isEmpty,
            "removals": home.registrations.compactMap { r in home.removals[r.ref].map { ["plate": r.plate, "text": $0] } },
            "registrations": home.registrations.map { ["plate": $0.plate, "status": words.term("registrationStatus", $0.status)] },
            "points": WebApp.pointsBar(home.staff.pointsThisCycle ?? 0, max: config.int(.scoringCycleMax)),
            "cycleEnd": home.staff.cycleEnd ?? "",
            "mayNotDrive": home.staff.mayNotDrive ?? "",
            "slots": home.slotsText,
        ]
        return try await self.page("driver-home", nav: "me", title: "driver.homeTitle", page, context: context)
    }
}

/// A key tag's token from a plate as views show it.
enum KeyTagLinks {
    static func token(of plate: String) -> String {
        (try? Plate(plate)).map(KeyTagToken.token(of:)) ?? plate
    }
}

/// A key tag's link (`/k/TOKEN`) and a driver's page (`/me`). The desk's and the manager's phones that open a link go
/// to the car's page, as a scan of the tag does.
struct DriverController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
        router.get("/k/{token}") { request, context in
            let token = app.parameter("token", context)
            guard context.session?.person?.role == .driver else {
                let query = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
                return Response.redirect(to: "/scan?q=" + query, type: .normal)
            }
            return try await app.driverCarPage(token: token, context: context).response(from: request, context: context)
        }
        router.post("/k/{token}/start") { request, context in
            let token = app.parameter("token", context)
            let purpose = app.form(context)["purpose"]
            do {
                let movement = try app.desk(context).driverStart(token: token, purpose: purpose)
                let words = try app.words(context)
                let text = app.pages.text("driver.started", try app.language(context), [
                    "plate": movement.plate, "purpose": words.term("purpose", movement.purpose), "at": String(WebApp.shortTime(movement.startAt).suffix(5)),
                ])
                return await app.redirect("/k/" + KeyTagLinks.token(of: movement.plate), flash: ([text] + movement.warnings).joined(separator: " "), context: context)
            } catch {
                try WebApp.rethrowIfNotForTheForm(error)
                return try await app.driverCarPage(token: token, context: context, error: error, chosenPurpose: purpose).response(from: request, context: context)
            }
        }
        router.post("/k/{token}/end") { request, context in
            let token = app.parameter("token", context)
            do {
                let movement = try app.desk(context).driverEnd(token: token)
                let text = app.pages.text("driver.ended", try app.language(context), [
                    "plate": movement.plate, "at": String(WebApp.shortTime(movement.endAt).suffix(5)), "minutes": String(movement.minutes ?? 0),
                ])
                return await app.redirect(DriverPages.home, flash: text, context: context)
            } catch {
                try WebApp.rethrowIfNotForTheForm(error)
                return try await app.driverCarPage(token: token, context: context, error: error).response(from: request, context: context)
            }
        }
        router.get("/me") { request, context in
            guard context.session?.person?.role == .driver else { return Response.redirect(to: "/", type: .normal) }
            return try await app.driverHomePage(context: context).response(from: request, context: context)
        }
        return router
    }
}
