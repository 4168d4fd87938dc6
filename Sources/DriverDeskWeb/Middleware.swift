import Synchronization
import DriverDeskApp
import Foundation
import Hummingbird
import NIOCore

/// Finds or starts the browser's session and sets its cookie (HttpOnly, SameSite=Strict, and Secure over HTTPS).
struct SessionMiddleware<Context: SessionRequestContext>: RouterMiddleware {
    let sessions: Sessions
    /// Whether this server speaks HTTPS itself (`serve --tls-cert`): every cookie is Secure.
    var tls = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let known = request.cookies["dd_session"]?.value
        let session = await sessions.session(for: known)
        context.session = session
        context.sessionIsNew = known != session.id
        var response = try await next(request, context)
        let current = context.session?.id ?? session.id
        if known != current || response.headers[.setCookie] == nil && known != session.id {
            response.setCookie(sessionCookie(session.id, request, tls: tls))
        }
        return response
    }
}

/// The session cookie: Secure when the page came over HTTPS: this server's own (`tls`), or a reverse proxy's in front,
/// which says so in `X-Forwarded-Proto` (the only header of a proxy DriverDesk reads: it can only make the cookie
/// stricter). `maxAge`: a driver's phone keeps the cookie for his shift when its browser closes (seconds); without it
/// the cookie ends with the browser.
func sessionCookie(_ id: String, _ request: Request, tls: Bool, maxAge: Int? = nil) -> Cookie {
    let https = tls || request.head.scheme?.lowercased() == "https"
        || request.headers[HTTPFields.Element.Name("X-Forwarded-Proto")!]?.lowercased().split(separator: ",").first?.trimmingCharacters(in: .whitespaces) == "https"
    return Cookie(name: "dd_session", value: id, maxAge: maxAge, path: "/", secure: https, httpOnly: true, sameSite: .strict)
}

/// Once the shop has an account, every page but the login page and static files needs a person logged in, whose
/// session is still on: not past its shift nor idle too long (off this PC), his account neither disabled nor given a
/// new password since. Before the first account the loopback front desk is open, as the front desk.
struct AuthMiddleware: RouterMiddleware {
    let app: WebApp

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        // The login page, its language switch and its stylesheet are open to anyone.
        if path == "/login" || path == "/lang" || path.hasPrefix("/static/") { return try await next(request, context) }
        let directory = try app.accounts(at: context.version)
        guard directory.any else { return try await next(request, context) }
        if let away = await Login.ending(context.session, states: directory.states, shiftHours: try app.config(at: context.version).int(.webSessionHours),
                                         remote: context.remoteAddress, now: app.settings.clock(), sessions: app.sessions) {
            // A key tag's link opened before logging in comes back to its car after the login.
            if request.method == .get, path.hasPrefix("/k/"), let target = request.uri.string.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                return .redirect(to: away + (away.contains("?") ? "&" : "?") + "next=" + target, type: .normal)
            }
            return .redirect(to: away, type: .normal)
        }
        // A driver's phone reaches his own pages only: a key tag's link, his page, logging out, the language.
        if context.session?.person?.role == .driver, !DriverPages.allows(path) {
            if request.method == .get || request.method == .head { return .redirect(to: DriverPages.home, type: .normal) }
            throw DeskError.forbidden(reasons: [Message("role.driverOnly")])
        }
        return try await next(request, context)
    }
}

/// Every POST carries the session's CSRF token in its `csrf` field; anything else is refused before it runs. The body
/// is read up to the path's limit and no further (413), and a form with a field that is not UTF-8 is refused naming
/// the field (`DeskError.invalid`, 400), once the token is known to be good.
struct CSRFMiddleware<Context: SessionRequestContext>: RouterMiddleware {
    let limits: RequestLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        let form: Form
        do {
            form = try await Form.read(request, limit: limits.body(for: request.uri.path))
        } catch is NIOTooManyBytesError {
            return PlainRefusal.response(.contentTooLarge, limits.tooLarge(for: request.uri.path))
        }
        guard let token = form.fields["csrf"], let session = context.session, !token.isEmpty,
              token.utf8.count == session.csrf.utf8.count, zip(token.utf8, session.csrf.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "403: this form has expired or did not come from DriverDesk; reload the page and try again.\n")))
        }
        if let field = form.undecodable.first {
            throw DeskError.invalid(field: field, reason: Message("input.form.notUTF8"))
        }
        // The body was read for the check; hand the parsed form on.
        var context = context
        context.form = form
        request.body = .init(buffer: ByteBuffer())
        return try await next(request, context)
    }
}


/// Reads once per request whether the database changed (`ChangeWatch`): the host names, the accounts, the settings
/// and the dashboard of this request are all of that version.
struct VersionMiddleware: RouterMiddleware {
    let watch: ChangeWatch

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        context.version = watch.version()
        return try await next(request, context)
    }
}

/// The first thing every request meets. It answers only to the host names this server serves, so a page elsewhere
/// whose name is rebound to 127.0.0.1 (DNS rebinding) cannot read the front desk nor post its forms (421, nothing
/// read, nothing written); a request that names no host, or whose target is a whole address instead of a path
/// (`GET http://evil.example/login`, marked by `RequestTargetHandler`), gets 400; and every answer carries the
/// headers that keep the pages out of other sites' frames and scripts.
struct HostGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The names of now for a request (`web.hostNames` is a setting, read again when it changes).
    let hosts: @Sendable (Context) -> HostNames
    static var host: HTTPFields.Element.Name { HTTPFields.Element.Name("Host")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        // HTTP/1's Host header arrives as the authority; a Host field left among the headers is checked as well.
        let names = [request.head.authority].compactMap { $0 } + request.headers[values: HostGuardMiddleware.host]
        let allowed = hosts(context)
        if request.headers[RequestTargetHandler.markName] != nil {
            response = PlainRefusal.response(.badRequest, Message("web.request.notAPath"))
        } else if names.allSatisfy({ HostNames.name(of: $0).isEmpty }) {
            response = PlainRefusal.response(.badRequest, Message("web.request.noHost"))
        } else if let foreign = names.first(where: { !allowed.allows($0) }) {
            response = Response(status: .misdirectedRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "421: this server does not answer to the name \(HostNames.shown(foreign)); open it by an address it serves (web.hostNames).\n")))
        } else {
            response = try await next(request, context)
        }
        SecurityHeaders.add(to: &response.headers)
        return response
    }
}

/// The headers on every answer: scripts and styles only from this server (styles may be inline), no frames, no
/// guessing of types, no address sent to other sites.
enum SecurityHeaders {
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPFields.Element.Name("X-Frame-Options")!

    static func add(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[referrerPolicy] = "same-origin"
        headers[xFrameOptions] = "DENY"
    }
}

/// The names a `Host` header may carry: loopback names, any IP address literal (a browser that sends one reached this
/// server at that address, which no other site can rebind), the address served on, and `web.hostNames`.
public struct HostNames: Sendable {
    let names: Set<String>

    public init(served host: String, configured: [String]) {
        var names: Set<String> = ["localhost"]
        names.insert(HostNames.name(of: host))
        for name in configured { names.insert(HostNames.name(of: name)) }
        self.names = names
    }

    /// Whether a request's `Host` (with or without its port) names this server.
    public func allows(_ authority: String) -> Bool {
        let name = HostNames.name(of: authority)
        guard !name.isEmpty else { return false }
        if names.contains(name) { return true }
        if name.hasSuffix(".localhost") { return true }
        return HostNames.isAddressLiteral(name)
    }

    /// The host of `host[:port]` or `[v6]:port`, lower case, without a trailing dot. Anything else after the host
    /// (`[::1].evil.example`, `localhost:evil`) leaves the text whole, which names no host this server answers to.
    static func name(of authority: String) -> String {
        var text = authority.trimmingCharacters(in: .whitespaces).lowercased()
        func isPort(_ rest: Substring) -> Bool { rest.isEmpty || rest.hasPrefix(":") && rest.dropFirst().allSatisfy { $0.isASCII && $0.isNumber } }
        if text.hasPrefix("[") {
            if let close = text.firstIndex(of: "]"), isPort(text[text.index(after: close)...]) {
                text = String(text[text.index(after: text.startIndex)..<close])
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":"), isPort(text[colon...]) {
            text = String(text[..<colon])
        }
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// An IPv4 address in dotted decimal, or an IPv6 address.
    static func isAddressLiteral(_ name: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }

    /// A foreign name as the refusal shows it: printable ASCII, at most 100 characters.
    static func shown(_ authority: String) -> String {
        String(authority.unicodeScalars.filter { $0.value >= 0x21 && $0.value < 0x7F }.map(Character.init).prefix(100))
    }
}

/// Every request may wait for the database at most `web.databaseTimeoutSeconds` (as last read), counted from its
/// arrival: each wait of the store ends there (`DatabaseDeadline`), and the request gets 503 instead of hanging.
struct DeadlineMiddleware<Context: RequestContext>: RouterMiddleware {
    let seconds: @Sendable () -> Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await Shop.withDatabaseDeadline(seconds: seconds()) { try await next(request, context) }
    }
}

/// An integer setting shared by the requests (read often, written when the settings are read again).
final class SharedInt: Sendable {
    private let value: Atomic<Int>
    init(_ value: Int) { self.value = Atomic(value) }
    var current: Int { value.load(ordering: .relaxed) }
    func set(_ new: Int) { value.store(new, ordering: .relaxed) }
}
