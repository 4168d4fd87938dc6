import DriverDeskApp
import Foundation
import Hummingbird

/// What every controller does with a request: the use cases as the person logged in may use them, a page rendered in
/// the request's language, a redirect with its message, the form and the path's parameters, a refusal as a sentence.
extension WebApp {
    /// The use cases at this request's time, as the person logged in may use them (before the shop's first account,
    /// the loopback front desk's: everything, audited as `web`).
    func desk(_ context: WebContext) -> Desk {
        let language = context.session?.language.flatMap(Language.init(rawValue:))
        if let person = context.session?.person {
            return shop.desk(now: settings.clock(), operator: person.operatorName, language: language, actor: person.actor)
        }
        return shop.desk(now: settings.clock(), operator: settings.operatorName, language: language)
    }

    /// The catalogue of this request's language: the vocabulary and the reasons on every page.
    func words(_ context: WebContext) throws -> Catalogue { try desk(context).catalogue(try config()) }

    func language(_ context: WebContext, at version: ChangeWatch.Version? = nil) throws -> String {
        try context.session?.language ?? config(at: version).string(.uiLanguage)
    }

    /// Renders a page of `templates/web/`.
    func page(_ name: String, nav: String, title: String, _ page: [String: Any], context: WebContext,
              status: HTTPResponse.Status = .ok, flash: String? = nil) async throws -> HTML {
        let session = context.session!
        let html = try pages.render(name, status: status, nav: nav, title: title, page: page, session: session, config: try config(), flash: flash,
                                    openDesk: try !accounts().any)
        if session.flash != nil { await sessions.modify(session.id) { $0.flash = nil; $0.flashLink = nil } }
        return html
    }

    /// "已保存：王磊": the message after a change that needs no more words than what it was about.
    func saved(_ what: String, _ context: WebContext) -> String {
        pages.text(what.isEmpty ? "common.savedPlain" : "common.saved", (try? language(context)) ?? "zh-Hans", ["what": what])
    }

    /// Redirects after a successful POST, with a message for the next page.
    func redirect(_ location: String, flash: String?, link: FlashLink? = nil, context: WebContext) async -> Response {
        if let session = context.session, let flash { await sessions.modify(session.id) { $0.flash = flash; $0.flashLink = link } }
        return .redirect(to: location, type: .normal)
    }

    /// The form a POST carried (already read by the CSRF check).
    func form(_ context: WebContext) -> Form { context.form ?? Form(fields: [:], files: [:]) }

    /// A path parameter, percent-decoded (Hummingbird hands them over encoded).
    func parameter(_ name: String, _ context: WebContext) -> String {
        let raw = context.parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// Runs a lookup by invite reference, counting unknown references against the session (429 past the limit).
    /// A request without a known session counts against its address instead (dropping the cookie does not reset the
    /// count), and every address has a limit five times the session's (for the browsers of one front desk together).
    func guardedLookup<T>(_ context: WebContext, _ body: () async throws -> T) async throws -> T {
        let address = context.clientAddress
        let mine = context.sessionIsNew || context.session == nil ? "fresh:\(address)" : "session:\(context.session!.id)"
        let keys = [(key: mine, factor: 1), (key: "address:\(address)", factor: 5)]
        guard await throttle.allowed(keys) else {
            throw TooManyLookups()
        }
        do {
            return try await body()
        } catch let error as DeskError {
            if case .notFound(let field, _) = error, field == "ref" { await throttle.missed(keys.map(\.key)) }
            throw error
        }
    }

    /// Whether a redirect target stays on this site: a path from the root, not `//host` nor `/\\host` (which browsers
    /// read as `//host`), and no control characters or spaces.
    static func isLocalPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.count <= 2_000 else { return false }
        let second = path.dropFirst().first
        if second == "/" || second == "\\" { return false }
        return !path.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" }
    }

    /// A role's refusal is not a mistake in the form: it goes to the 403 page (`ErrorPageMiddleware`), not back to
    /// the form with its message; nor is a database that cannot be reached (the 503 page, drawn without it).
    static func rethrowIfNotForTheForm(_ error: any Error) throws {
        switch error as? DeskError {
        case .forbidden?, .unavailable?: throw error
        default: break
        }
    }

    /// A DeskError as a sentence for the page, in the page's language, and the field it names.
    func problem(_ error: any Error, _ context: WebContext) -> (message: String, field: String?) {
        let desk = desk(context)
        guard let config = try? config(), let catalogue = try? desk.catalogue(config) else {
            return ((error as? LocalizedError)?.errorDescription ?? "\(error)", (error as? DeskError)?.field)
        }
        if let error = error as? DeskError { return (catalogue.describe(error, time: config.time, naming: .label), error.field) }
        if let error = error as? ImportErrors { return (catalogue.describe(error, time: config.time, naming: .label), "file") }
        if let error = error as? ViolationFileErrors { return (catalogue.describe(error, time: config.time, naming: .label), "file") }
        return ("\(error)", nil)
    }
}
