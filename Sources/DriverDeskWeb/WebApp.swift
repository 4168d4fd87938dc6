import DriverDeskApp
import Foundation
import Hummingbird
internal import Logging

/// Where and how the front desk serves.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// The clock of every request: the real time, or a fixed one for tests and `--now`.
    public var clock: @Sendable () -> Date
    public var operatorName: String
    /// HTTPS on this server itself (`--tls-cert`, `--tls-key`), or nil: plain HTTP (on this PC, or behind a proxy).
    public var tls: TLSFiles?
    /// `serve --behind-proxy`: every request comes through a reverse proxy on this machine. None is then this PC's own
    /// (the desk's idle limit holds), and a request's address is the last one of its `X-Forwarded-For`.
    public var behindProxy: Bool

    public init(host: String = "127.0.0.1", port: Int = 8080, clock: @escaping @Sendable () -> Date = { Date() }, operatorName: String = "web",
                tls: TLSFiles? = nil, behindProxy: Bool = false) {
        self.host = host
        self.port = port
        self.clock = clock
        self.operatorName = operatorName
        self.tls = tls
        self.behindProxy = behindProxy
    }

    /// Addresses only this machine can reach: no password is needed there.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

/// Everything a page handler needs: the shop, the pages, the sessions, the clock.
public struct WebApp: Sendable {
    public let shop: Shop
    public let pages: Pages
    public let sessions: Sessions
    public let settings: ServerSettings
    public let throttle = LookupThrottle()
    public let logins = LoginThrottle()
    /// Whether the database changed: the settings and the dashboard are kept until it does.
    let watch: ChangeWatch
    let settingsCache = Cached<Config>()
    let accountsCache = Cached<AccountDirectory>()
    let hostsCache = Cached<HostNames>()
    /// The dashboard, rendered at most once a second per language and login while nothing changes (its times and
    /// what is overdue move with the clock).
    let dashboardCache = Cached<SharedPage>(maxAge: .seconds(1))
    /// `web.databaseTimeoutSeconds` as last read: how long a request waits for the database (`DeadlineMiddleware`).
    let databaseTimeout = SharedInt(Int(Config().int(.webDatabaseTimeoutSeconds)))

    public init(shop: Shop, pages: Pages, settings: ServerSettings) {
        self.shop = shop
        self.pages = pages
        self.sessions = Sessions()
        self.settings = settings
        self.watch = shop.changeWatch()
    }

    /// The shop's settings, read again only when the database has changed.
    func config(at version: ChangeWatch.Version? = nil) throws -> Config {
        try settingsCache.value("settings", at: version ?? watch.version()) {
            let config = try shop.config()
            databaseTimeout.set(config.int(.webDatabaseTimeoutSeconds))
            return config
        }
    }

    /// The settings last read, or the defaults: for the page that says the database cannot be reached.
    func lastConfig() -> Config { settingsCache.latest("settings") ?? Config() }

    /// Whether the desk was open (no accounts) when last read: for the same page.
    func lastOpenDesk() -> Bool { !(accountsCache.latest("accounts")?.any ?? true) }

    /// The host names this server answers to (`HostGuardMiddleware`), made again only when the database has changed.
    func hostNames(at version: ChangeWatch.Version? = nil) -> HostNames {
        let version = version ?? watch.version()
        return hostsCache.value("hosts", at: version) {
            // Without the database, the names last read (else a desk on a configured name would get 421, not the 503).
            HostNames(served: settings.host, configured: ((try? config(at: version)) ?? lastConfig()).list(.webHostNames))
        }
    }

    /// The accounts as stored now (read again only when the database has changed).
    func accounts(at version: ChangeWatch.Version? = nil) throws -> AccountDirectory {
        try accountsCache.value("accounts", at: version ?? watch.version()) {
            let states = try shop.accountStates()
            return AccountDirectory(any: !states.isEmpty, states: states.mapValues { AccountDirectory.State(active: $0.active, epoch: $0.epoch) })
        }
    }

    /// Whether a request is answered from what is cached, without the database: the dashboard while its page, the
    /// settings, the accounts and the host names are current. A chain's server then answers it on the event loop's
    /// side instead of handing it to a thread that may wait (`BlockingMiddleware`): the hand-over was a third of the
    /// dashboard's cost. Should something change meanwhile, the read it needs waits on that thread (bounded by the
    /// deadline; the answers come on the connection's own event loop, so nothing waits for itself).
    func answersFromCache(_ request: Request) -> Bool {
        guard request.method == .get, request.uri.path == "/" else { return false }
        let version = watch.version()
        return dashboardCache.isCurrent(at: version) && settingsCache.isCurrent("settings", at: version) && accountsCache.isCurrent("accounts", at: version)
            && hostsCache.isCurrent("hosts", at: version)
    }

    static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address.hasPrefix("127.") || address.hasPrefix("::ffff:127.")
    }
}

/// Builds the front desk's router: middleware, static files, every page.
public func buildRouter(_ app: WebApp, staticFolder: String) -> Router<WebContext> {
    let router = Router(context: WebContext.self)
    if app.shop.isChain {
        // A chain's database is waited for synchronously: never on an event loop, nor on the cooperative pool.
        router.add(middleware: BlockingMiddleware(executor: .shared) { app.answersFromCache($0) })
    }
    router.add(middleware: DeadlineMiddleware { app.databaseTimeout.current })
    router.add(middleware: VersionMiddleware(watch: app.watch))
    router.add(middleware: HostGuardMiddleware { context in app.hostNames(at: context.version) })
    if app.settings.behindProxy { router.add(middleware: ForwardedForMiddleware()) }
    router.add(middleware: RequestLimitsMiddleware(limits: .frontDesk))
    router.add(middleware: FileMiddleware(staticFolder, urlBasePath: "/static", searchForIndexHtml: false))
    router.add(middleware: SessionMiddleware(sessions: app.sessions, tls: app.settings.tls != nil))
    // Inside the session, so that an error page's forms (the language switch, the scanner) carry its CSRF token.
    router.add(middleware: ErrorPageMiddleware(app: app))
    router.add(middleware: CSRFMiddleware(limits: .frontDesk))
    router.add(middleware: AuthMiddleware(app: app))
    router.addRoutes(SessionController(app: app).endpoints)
    router.addRoutes(DashboardController(app: app).endpoints)
    router.addRoutes(VehicleController(app: app).endpoints)
    router.addRoutes(CustodyReportController(app: app).endpoints)
    router.addRoutes(StaffController(app: app).endpoints)
    router.addRoutes(MoveController(app: app).endpoints)
    router.addRoutes(CorrectionController(app: app).endpoints)
    router.addRoutes(InviteController(app: app).endpoints)
    router.addRoutes(ViolationController(app: app).endpoints)
    router.addRoutes(ManagerController(app: app).endpoints)
    router.addRoutes(AccountController(app: app).endpoints)
    router.addRoutes(DriverController(app: app).endpoints)
    return router
}

/// The whole server; refuses to listen beyond this machine before the shop has an account (every page then needs a
/// login).
public func buildApplication(shop: Shop, settings: ServerSettings) throws -> some ApplicationProtocol {
    if !settings.isLoopback || settings.behindProxy, try !shop.hasAccounts() {
        throw DeskError.refusedWith(rule: "web", reasons: [settings.behindProxy ? Message("web.accountFirstProxy") : Message("web.accountFirst", ["host": .text(settings.host)])])
    }
    let templates = try Templates.shipped()
    let app = WebApp(shop: shop, pages: try Pages(templates: templates), settings: settings)
    let router = buildRouter(app, staticFolder: templates.folder.appendingPathComponent("static").path)
    var logger = Logger(label: "driverdesk.web")
    logger.logLevel = .warning
    return Application(router: router, server: try .markedTargets(tls: settings.tls), configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "DriverDesk"),
                       logger: logger)
}

/// `driverdesk serve`: builds the server (refused as `buildApplication` refuses), calls `ready` once it is built, and
/// serves until the process is told to stop (Ctrl-C, SIGTERM).
public func serve(shop: Shop, settings: ServerSettings, ready: () -> Void) async throws {
    let app = try buildApplication(shop: shop, settings: settings)
    ready()
    try await app.runService()
}

/// The shop's accounts as the sessions need them: whether there is any, and each one's state.
struct AccountDirectory: Sendable {
    struct State: Sendable {
        var active: Bool
        var epoch: Int
    }

    var any: Bool
    var states: [Int64: State]
}

/// Too many unknown invite references from one browser (`guardedLookup`): a page with 429.
struct TooManyLookups: Error {}

/// DeskErrors that reach the top become a page that says what went wrong; nothing else leaks a stack trace.
struct ErrorPageMiddleware: RouterMiddleware {
    let app: WebApp

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DeskError {
            let status: HTTPResponse.Status = switch error {
            case .invalid: .badRequest
            case .notFound: .notFound
            case .refusedWith: .conflict
            case .forbidden: .forbidden
            case .storage: .internalServerError
            case .unavailable: .serviceUnavailable
            }
            if case .unavailable(let outage) = error { return try unavailable(outage, request: request, context: context) }
            return try page(app.problem(error, context).message, status: status, request: request, context: context)
        } catch is TooManyLookups {
            let reason = Message("web.tooManyLookups", ["minutes": .minutes(10)])
            let text = (try? app.words(context).render(reason)) ?? reason.code
            return try page(text, status: .tooManyRequests, request: request, context: context)
        } catch let error as HTTPResponseError {
            throw error
        } catch {
            return try page("\(error)", status: .internalServerError, request: request, context: context)
        }
    }

    func page(_ message: String, status: HTTPResponse.Status, request: Request, context: WebContext) throws -> Response {
        let session = context.session ?? Session(id: "", csrf: "")
        // Drawn with the settings last read when the database cannot be read now.
        let config = (try? app.config()) ?? app.lastConfig()
        let openDesk = (try? app.accounts()).map { !$0.any } ?? app.lastOpenDesk()
        let html = try app.pages.render("error", status: status, nav: "", title: "error.title", page: ["message": message, "status": Int(status.code)],
                                        session: session, config: config, openDesk: openDesk)
        return try html.response(from: request, context: context)
    }

    /// 503: the database cannot be reached (nothing saved: try again), or a change may or may not have been recorded
    /// (look at the page it was made on first). Drawn without the database, with the settings last read.
    func unavailable(_ outage: DeskError.Outage, request: Request, context: WebContext) throws -> Response {
        let session = context.session ?? Session(id: "", csrf: "")
        let config = app.lastConfig()
        let language = session.language ?? config.string(.uiLanguage)
        let words = try Catalogue.shipped(language == "en" ? .en : .zhHans)
        // A page that was only being read saved nothing, and says so in fewer words.
        let message = request.method == .get && outage != .outcomeUnknown ? words.render(Message("error.unavailable.reading"))
            : words.describe(.unavailable(outage), time: config.time, naming: .label)
        // Where to look: the page the form was on (a path of this site), else the dashboard; a GET is tried again.
        let referer = request.headers[.referer].flatMap { URL(string: $0) }.map { $0.path + ($0.query.map { "?" + $0 } ?? "") }
        let check = referer.flatMap { WebApp.isLocalPath($0) ? $0 : nil } ?? "/"
        let retry = request.method == .get ? request.uri.description : nil
        var page: [String: Any] = ["message": message, "status": 503, "unavailable": true]
        // A read is tried again; after a change, back to the page it was made on: to look at it first when the change
        // may have been recorded.
        if let retry, WebApp.isLocalPath(retry) { page["retry"] = retry } else if outage == .outcomeUnknown { page["check"] = check } else { page["back"] = check }
        var html = try app.pages.render("error", status: .serviceUnavailable, nav: "", title: "error.unavailable", page: page, session: session, config: config,
                                        openDesk: app.lastOpenDesk())
        html.status = .serviceUnavailable
        var response = try html.response(from: request, context: context)
        response.headers[.retryAfter] = "5"
        return response
    }
}
