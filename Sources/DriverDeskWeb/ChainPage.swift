import DriverDeskApp
import Foundation
import Hummingbird
internal import Logging

/// `driverdesk serve` on a chain's `?shop=*`: the chain manager's view as one read-only page (every shop and the total,
/// every driver of the chain). Once the chain has a manager's account (`user add NAME --role chain`), the page asks
/// for his login, as a shop's front desk does, and may be served beyond this machine; before, it is served on this
/// machine only.
public func buildChainApplication(chain: Chain, settings: ServerSettings) throws -> some ApplicationProtocol {
    let hasAccounts = try chain.hasAccounts()
    guard settings.isLoopback || hasAccounts else {
        throw DeskError.refusedWith(rule: "web", reasons: [Message("web.chainLoopback", ["host": .text(settings.host)])])
    }
    let templates = try Templates.shipped()
    let pages = try Pages(templates: templates)
    let sessions = Sessions(), logins = LoginThrottle()
    let router = Router(context: WebContext.self)
    // The chain's database is waited for synchronously: never on an event loop, nor on the cooperative pool.
    router.add(middleware: BlockingMiddleware(executor: .shared))
    router.add(middleware: DeadlineMiddleware { Config().int(.webDatabaseTimeoutSeconds) })
    let hosts = HostNames(served: settings.host, configured: [])
    router.add(middleware: HostGuardMiddleware { _ in hosts })
    router.add(middleware: RequestLimitsMiddleware(limits: .chainPage))
    router.add(middleware: FileMiddleware(templates.folder.appendingPathComponent("static").path, urlBasePath: "/static", searchForIndexHtml: false))
    router.add(middleware: SessionMiddleware<WebContext>(sessions: sessions, tls: settings.tls != nil))
    router.add(middleware: ChainErrorMiddleware())
    router.add(middleware: CSRFMiddleware<WebContext>(limits: .chainPage))
    router.add(middleware: ChainAuthMiddleware(chain: chain, sessions: sessions, settings: settings))
    @Sendable func language(_ request: Request) -> String {
        let query = request.uri.query ?? ""
        return WebApp.queryValue("lang", in: query) == "en" ? "en" : "zh-Hans"
    }
    router.get("/") { request, context -> HTML in
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query[name[...]].map { String($0).removingPercentEncoding ?? String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let language = language(request)
        do {
            let report = try chain.report(from: value("from"), to: value("to"), page: value("page"), sort: value("sort"), driverPage: value("driver-page"),
                                          driverSort: value("driver-sort"), now: settings.clock())
            return try ChainPage.render(report, language: language, pages: pages, session: context.session)
        } catch let error as DeskError {
            return try ChainPage.problem(error, language: language)
        }
    }
    router.get("/login") { request, context -> HTML in
        let ended = request.uri.queryParameters["ended"].map(String.init)
        let language = language(request)
        let notice = ended.flatMap { ["shift", "idle", "account"].contains($0) ? pages.text("login.ended.\($0)", language) : nil }
        return try ChainPage.login(language: language, pages: pages, csrf: context.session?.csrf ?? "", notice: notice, error: nil, name: "")
    }
    router.post("/login") { request, context -> Response in
        let form = context.form ?? Form(fields: [:], files: [:])
        let name = String((form["name"] ?? "").prefix(200)), now = settings.clock(), address = context.clientAddress
        let language = language(request)
        func refused(_ message: String, _ status: HTTPResponse.Status) throws -> Response {
            var html = try ChainPage.login(language: language, pages: pages, csrf: context.session?.csrf ?? "", notice: nil, error: message, name: WebApp.shown(name))
            html.status = status
            return try html.response(from: request, context: context)
        }
        switch try await Login.attempt(name: name, password: form["password"] ?? "", address: address, now: now, session: context.session!,
                                       sessions: sessions, throttle: logins, check: { name, password in
                                           try chain.logIn(name: name, password: password, address: address, now: now)
                                       }) {
        case .locked(let until):
            return try refused(Login.lockedMessage(until: until, language: language, pages: pages, time: Config().time), .tooManyRequests)
        case .wrong:
            return try refused(pages.text("login.wrong", language), .unauthorized)
        case .signedIn(let session):
            var response = Response.redirect(to: "/", type: .normal)
            response.setCookie(sessionCookie(session.id, request, tls: settings.tls != nil))
            return response
        }
    }
    router.post("/logout") { _, context -> Response in
        if let session = context.session {
            if let person = session.person { try chain.logOut(person, address: context.clientAddress, now: settings.clock()) }
            await sessions.remove(session.id)
        }
        return Response.redirect(to: "/login", type: .normal)
    }
    var logger = Logger(label: "driverdesk.web.chain")
    logger.logLevel = .warning
    return Application(router: router, server: try .markedTargets(tls: settings.tls), configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "DriverDesk"),
                       logger: logger)
}

/// A refusal that reaches the top of the chain's page (a form field that is not UTF-8) as a short page in the page's
/// language.
struct ChainErrorMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DeskError {
            let language = WebApp.queryValue("lang", in: request.uri.query ?? "") == "en" ? "en" : "zh-Hans"
            return try ChainPage.problem(error, language: language).response(from: request, context: context)
        }
    }
}

/// Once the chain has a manager's account, its page needs one of them logged in, whose session is still on (as
/// `AuthMiddleware` for a shop).
struct ChainAuthMiddleware: RouterMiddleware {
    let chain: Chain
    let sessions: Sessions
    let settings: ServerSettings

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/login" || path.hasPrefix("/static/") { return try await next(request, context) }
        let states = try chain.accountStates().mapValues { AccountDirectory.State(active: $0.active, epoch: $0.epoch) }
        guard !states.isEmpty else { return try await next(request, context) }
        if let away = await Login.ending(context.session, states: states, shiftHours: Config().int(.webSessionHours), remote: context.remoteAddress,
                                         now: settings.clock(), sessions: sessions) {
            return .redirect(to: away, type: .normal)
        }
        return try await next(request, context)
    }
}

/// `driverdesk serve` on `?shop=*`.
public func serveChain(chain: Chain, settings: ServerSettings, ready: () -> Void) async throws {
    let app = try buildChainApplication(chain: chain, settings: settings)
    ready()
    try await app.runService()
}

enum ChainPage {
    /// The chain's login page.
    static func login(language: String, pages: Pages, csrf: String, notice: String?, error: String?, name: String) throws -> HTML {
        let page: [String: Any] = ["csrf": csrf, "notice": notice ?? "", "error": error ?? "", "name": name]
        let context: [String: Any] = ["t": pages.catalogue(language), "lang": language, "isZh": language == "zh-Hans", "isEn": language == "en",
                                      "page": Pages.dropEmpty(page)]
        return HTML(text: try pages.templates.render("web/chain-login", context))
    }

    static func render(_ report: ChainReportView, language: String, pages: Pages, session: Session? = nil) throws -> HTML {
        func figures(_ shop: ChainReportView.ShopFigures) -> [String: Any] {
            ["code": shop.code, "name": shop.name, "activeStaff": shop.activeStaff, "vehicles": shop.vehicles, "carsInShop": shop.carsInShop,
             "movements": shop.movements, "violations": shop.violations, "unpaid": shop.unpaid, "unpaidFines": "\(shop.unpaidFinesYuan)",
             "toReview": shop.toReview, "removalsDue": shop.removalsDue]
        }
        let drivers: [[String: Any]] = report.drivers.map {
            ["name": $0.name, "idNumber": $0.idNumber, "shops": $0.shops.joined(separator: " "), "movements": $0.movements, "points": $0.pointsThisCycle,
             "left": $0.pointsRemaining, "cycleEnd": $0.cycleEnd, "unpaid": $0.unpaid, "unpaidFines": "\($0.unpaidFinesYuan)"]
        }
        // Every link keeps the page's other choices: the language, the days, each table's order and page.
        let state = ["lang": language, "from": report.from, "to": report.to, "sort": report.sort, "page": String(report.page),
                     "driver-sort": report.driverSort, "driver-page": String(report.driverPage)]
        func link(_ changes: [String: String]) -> String {
            let merged = state.merging(changes) { $1 }
            return "/?" + ["lang", "from", "to", "sort", "page", "driver-sort", "driver-page"].map { "\($0)=\(merged[$0] ?? "")" }.joined(separator: "&")
        }
        func choices(_ values: [String], chosen: String, keys: [String: String]) -> [[String: Any]] {
            values.map { ["value": $0, "label": pages.text("chain." + (keys[$0] ?? $0), language), "selected": $0 == chosen] }
        }
        let shopSorts = choices(Chain.shopSorts, chosen: report.sort, keys: ["code": "sortCode", "unpaid": "sortUnpaid", "review": "sortReview"])
        let driverSorts = choices(Chain.driverSorts, chosen: report.driverSort, keys: ["name": "sortName", "points": "sortPoints", "unpaid": "sortUnpaid"])
        let page: [String: Any] = [
            "from": report.from, "to": report.to, "shops": report.shops.map(figures), "total": figures(report.total),
            "drivers": drivers, "hasDrivers": !drivers.isEmpty, "shopSorts": shopSorts, "driverSorts": driverSorts,
            "shopPageOf": pages.text("chain.pageOf", language, ["page": String(report.page), "pages": String(report.pages), "count": String(report.shopCount)]),
            "shopPrevious": report.page > 1 ? link(["page": String(report.page - 1)]) : "",
            "shopNext": report.page < report.pages ? link(["page": String(report.page + 1)]) : "",
            "driverPageOf": pages.text("chain.driverPageOf", language, ["page": String(report.driverPage), "pages": String(report.driverPages),
                                                                        "count": String(report.driverCount)]),
            "driverPrevious": report.driverPage > 1 ? link(["driver-page": String(report.driverPage - 1)]) : "",
            "driverNext": report.driverPage < report.driverPages ? link(["driver-page": String(report.driverPage + 1)]) : "",
            "otherLanguage": link(["lang": language == "en" ? "zh-Hans" : "en"]),
            "sort": report.sort, "driverSort": report.driverSort, "driverPage": report.driverPage, "shopPage": report.page,
        ]
        let context: [String: Any] = ["t": pages.catalogue(language), "lang": language, "isZh": language == "zh-Hans", "isEn": language == "en",
                                      "page": Pages.dropEmpty(page), "person": session?.person.map { "\($0.name)（\(pages.text("terms.role.chain", language))）" } ?? "",
                                      "authenticated": session?.person != nil, "csrf": session?.csrf ?? ""]
        return HTML(text: try pages.templates.render("web/chain", context))
    }

    /// A refusal as a short page: 400, or 500 for a failure of the database.
    static func problem(_ error: DeskError, language: String) throws -> HTML {
        let catalogue = try Catalogue.shipped(language == "en" ? .en : .zhHans)
        let html = "<!doctype html><meta charset=\"utf-8\"><p>\(ChainPage.escape(catalogue.describe(error, time: Config().time, naming: .label)))</p><p><a href=\"/\">↩</a></p>"
        if case .unavailable = error { return HTML(text: html, status: .serviceUnavailable) }
        return HTML(text: html, status: error.exitCode == 3 ? .internalServerError : .badRequest)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
