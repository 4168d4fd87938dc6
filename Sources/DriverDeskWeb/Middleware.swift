import DriverDeskApp
import Foundation
import Hummingbird

/// Finds or starts the browser's session and sets its cookie (HttpOnly, SameSite=Strict).
struct SessionMiddleware: RouterMiddleware {
    let sessions: Sessions

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let known = request.cookies["dd_session"]?.value
        let session = await sessions.session(for: known)
        context.session = session
        context.sessionIsNew = known != session.id
        var response = try await next(request, context)
        let current = context.session?.id ?? session.id
        if known != current || response.headers[.setCookie] == nil && known != session.id {
            response.setCookie(Cookie(name: "dd_session", value: session.id, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }
}

/// With a front-desk password set, every page but the login page and static files needs a logged-in session.
struct AuthMiddleware: RouterMiddleware {
    let app: WebApp

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/login" || path.hasPrefix("/static/") { return try await next(request, context) }
        let password = try app.config().string(.webPassword)
        if !password.isEmpty, context.session?.authenticated != true {
            return .redirect(to: "/login", type: .normal)
        }
        return try await next(request, context)
    }
}

/// Every POST carries the session's CSRF token in its `csrf` field; anything else is refused before it runs.
struct CSRFMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        let form = try await Form.read(request, context: context)
        guard let token = form.fields["csrf"], let session = context.session, !token.isEmpty,
              token.utf8.count == session.csrf.utf8.count, zip(token.utf8, session.csrf.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "403: this form has expired or did not come from DriverDesk; reload the page and try again.\n")))
        }
        // The body was read for the check; hand the parsed form on.
        var context = context
        context.form = form
        request.body = .init(buffer: ByteBuffer())
        return try await next(request, context)
    }
}

