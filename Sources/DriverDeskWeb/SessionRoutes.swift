import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// A value of a query string as a GET form sends it (application/x-www-form-urlencoded: "+" is a space).
    static func queryValue(_ name: String, in query: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first.map(String.init) == name else { continue }
            let raw = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            return raw.removingPercentEncoding ?? raw
        }
        return nil
    }

    /// What a scan read, as a page shows it: at most 80 characters, control characters as spaces (the page escapes it).
    static func shown(_ read: String) -> String {
        String(String(read.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }).prefix(80))
    }

    /// What the dashboard shows: cars in the shop, who drives, violations by next action, removals due.
    func dashboard(_ context: WebContext) throws -> [String: Any] {
        let status = try desk(context).status()
        let language = try self.language(context)
        let words = try self.words(context)
        let groups = ["review", "invite", "window", "process", "pay", "overdue"].compactMap { key -> [String: Any]? in
            guard let list = status.violations[key], !list.isEmpty else { return nil }
            return ["key": key, "label": self.pages.text("group.\(key)", language), "count": list.count, "items": list.map(WebApp.summary)]
        }
        return [
            "now": WebApp.shortTime(status.now),
            // A screen shows the 60 longest in the shop; the rest are a count and a link.
            "moreCars": status.carsInShop.count > 60 ? String(status.carsInShop.count - 60) : "",
            "cars": status.carsInShop.prefix(60).map { car in
                ["plate": car.plate, "owner": car.owner, "since": WebApp.shortTime(car.since), "order": car.orderNo ?? "",
                 "driver": car.driver?.name ?? "", "driving": car.driver != nil, "purpose": car.purpose.map { words.term("purpose", $0) } ?? ""] as [String: Any]
            },
            "hasCars": !status.carsInShop.isEmpty,
            "driving": status.driving.map { ["plate": $0.plate, "driver": $0.driver?.name ?? "", "since": WebApp.shortTime($0.drivingSince)] },
            "hasDriving": !status.driving.isEmpty,
            "groups": groups, "hasGroups": !groups.isEmpty,
            "notShown": status.violationsNotShown > 0 ? String(status.violationsNotShown) : "",
            "moreRemovals": status.removalsDue.count > 30 ? String(status.removalsDue.count - 30) : "",
            "removals": status.removalsDue.prefix(30).map { ["ref": $0.ref, "plate": $0.plate, "staff": $0.staff.name, "since": WebApp.shortTime($0.removalDueAt)] },
            "hasRemovals": !status.removalsDue.isEmpty,
            "planned": status.plannedRoadTests.map { p in
                ["plate": p.plate, "path": WebApp.pathEncode(p.plate), "since": WebApp.shortTime(p.since),
                 "plan": p.plan.map { words.term("purpose", $0) }.joined(separator: " · "),
                 "suggested": p.suggestedDriver.map { self.pages.text("dash.invite", language, ["name": $0.name]) } ?? ""]
            },
            "hasPlanned": !status.plannedRoadTests.isEmpty,
            "stale": status.staleVisits.map { ["plate": $0.plate, "since": WebApp.shortTime($0.since)] },
            "hasStale": !status.staleVisits.isEmpty,
            "counts": ["staff": status.activeStaff, "vehicles": status.vehicles, "movements": status.movementsToday],
            // R14: visits whose km the movements cannot explain, each linking to its custody report.
            "unexplainedKm": status.unexplainedKm.map { ["visitId": $0.visitId, "plate": $0.plate, "checkout": WebApp.shortTime($0.checkout),
                                                         "km": $0.unexplainedKm, "driven": $0.kmDriven, "minutes": $0.minutesDriven] as [String: Any] },
            "hasUnexplainedKm": !status.unexplainedKm.isEmpty,
        ]
    }

    static func summary(_ v: ViolationSummary) -> [String: Any] {
        ["id": v.id, "plate": v.plate, "when": shortTime(v.occurredAt), "code": v.code, "points": v.points, "fine": "\(v.fineYuan)",
         "driver": v.driver?.name ?? "", "hasDriver": v.driver != nil, "total": v.totalDueYuan.map { "\($0)" } ?? "", "due": v.dueDate ?? ""]
    }

    /// `2026-11-26T14:05:00+08:00` as `2026-11-26 14:05`.
    static func shortTime(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return "" }
        let chars = Array(iso)
        return String(chars[0..<10]) + " " + String(chars[11..<16])
    }
}

/// Login, logout, the language switch and the scanner field.
struct SessionController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/login") { request, context in
                let ended = request.uri.queryParameters["ended"].map(String.init)
                let language = try app.language(context)
                var page: [String: Any] = [:]
                if let ended, ["shift", "idle", "account"].contains(ended) { page["notice"] = app.pages.text("login.ended.\(ended)", language) }
                if let next = DriverPages.next(request.uri.queryParameters["next"].map(String.init)) { page["next"] = next }
                return try await app.page("login", nav: "", title: "login.title", page, context: context)
            }
            // The same answer, in about the same time, for an unknown name, a disabled account and a wrong password.
            router.post("/login") { request, context in
                let form = app.form(context)
                let name = String((form["name"] ?? "").prefix(200)), now = app.settings.clock(), address = context.clientAddress
                let language = try app.language(context)
                let next = DriverPages.next(form["next"])
                func refused(_ message: String, status: HTTPResponse.Status) async throws -> Response {
                    try await app.page("login", nav: "", title: "login.title", ["error": message, "name": WebApp.shown(name), "next": next ?? ""], context: context, status: status)
                        .response(from: request, context: context)
                }
                switch try await Login.attempt(name: name, password: form["password"] ?? "", address: address, now: now, session: context.session!,
                                               sessions: app.sessions, throttle: app.logins, check: { name, password in
                                                   try app.shop.logIn(name: name, password: password, address: address, now: now)
                                               }) {
                case .locked(let until):
                    return try await refused(Login.lockedMessage(until: until, language: language, pages: app.pages, time: try app.config().time), status: .tooManyRequests)
                case .wrong:
                    return try await refused(app.pages.text("login.wrong", language), status: .unauthorized)
                case .signedIn(let session):
                    // A driver goes to the car whose link brought him here, else to his page; the others to the dashboard.
                    let driver = session.person?.role == .driver
                    var response = Response.redirect(to: next ?? (driver ? DriverPages.home : "/"), type: .normal)
                    // A driver's phone keeps the cookie for his shift, so he logs in once a day.
                    let shift = driver ? try app.config().int(.webSessionHours) * 3600 : nil
                    response.setCookie(sessionCookie(session.id, request, tls: app.settings.tls != nil, maxAge: shift))
                    return response
                }
            }
            router.post("/logout") { _, context in
                let session = context.session!
                if let person = session.person {
                    try app.shop.logOut(person, address: context.clientAddress, now: app.settings.clock())
                }
                await app.sessions.remove(session.id)
                return Response.redirect(to: "/login", type: .normal)
            }
            router.post("/lang") { request, context in
                let form = app.form(context)
                var session = context.session!
                if let language = form["lang"], Pages.languages.contains(language) {
                    session.language = language
                    await app.sessions.update(session)
                }
                let back = form["back"].flatMap { WebApp.isLocalPath($0) ? $0 : nil } ?? "/"
                return Response.redirect(to: back, type: .normal)
            }
            // The scanner field on every page: an invite reference, a key tag or a plate, typed by a USB scanner or a person.
            // Several cars that match a plate without its Chinese characters are listed; an unknown scan says what was read.
            router.get("/scan") { request, context in
                // The form's own encoding: a browser sends the space between a key tag's token and its plate as "+".
                let text = WebApp.queryValue("q", in: request.uri.query ?? "") ?? ""
                let toMoves = request.uri.queryParameters["then"].map(String.init) == "move"
                func target(_ plate: String) -> String {
                    (toMoves ? "/moves?plate=" : "/vehicles/") + (plate.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? plate)
                }
                // Enter in the empty field: nothing was read, nothing to say.
                guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return Response.redirect(to: "/", type: .normal) }
                let language = try app.language(context)
                switch try app.desk(context).scan(text) {
                case .invite(let ref):
                    return Response.redirect(to: "/invites/\(ref)", type: .normal)
                case .vehicle(let plate):
                    return Response.redirect(to: target(plate), type: .normal)
                case .candidates(let plates, let read):
                    return try await app.page("scan", nav: "", title: "scan.title", [
                        "message": app.pages.text("scan.several", language, ["read": WebApp.shown(read)]),
                        "candidates": plates.map { ["plate": $0, "href": target($0)] }, "hasCandidates": true,
                    ], context: context).response(from: request, context: context)
                case .unknown(let read):
                    return try await app.page("scan", nav: "", title: "scan.title", ["message": app.pages.text("scan.unknown", language, ["read": WebApp.shown(read)])],
                                               context: context, status: .notFound).response(from: request, context: context)
                }
            }
        return router
    }
}

/// The dashboard: cars in the shop, who drives, violations by next action, removals due.
struct DashboardController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/") { request, context -> Response in
                let session = context.session!
                // A message for this session is shown once: that page is its own.
                guard session.flash == nil else {
                    return try await app.page("dashboard", nav: "dashboard", title: "nav.dashboard", try app.dashboard(context), context: context)
                        .response(from: request, context: context)
                }
                let version = context.version ?? app.watch.version()
                let language = try app.language(context, at: version)
                // One page per language and person (his name and role are on it).
                let person = session.person.map { "\($0.accountId) \($0.epoch)" } ?? "-"
                let shared = try app.dashboardCache.value("\(language) \(person)", at: version) {
                    var anyone = session
                    anyone.csrf = SharedPage.marker
                    anyone.language = language
                    anyone.flash = nil
                    return SharedPage(try app.pages.render("dashboard", nav: "dashboard", title: "nav.dashboard", page: try app.dashboard(context),
                                                            session: anyone, config: try app.config(at: version), openDesk: try !app.accounts(at: version).any))
                }
                return shared.response(csrf: session.csrf)
            }
        return router
    }
}
