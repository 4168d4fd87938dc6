import Hummingbird
import Logging

/// The request context of the front desk: the session the cookie names, filled by `SessionMiddleware`.
public struct WebContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: Session?
    /// The posted form, parsed once by `CSRFMiddleware`.
    public var form: Form?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// CSV uploads of a busy fleet can be large.
    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}

/// One browser's session: its CSRF token, whether it logged in, its language and a message for the next page.
public struct Session: Sendable {
    public var id: String
    public var csrf: String
    public var authenticated: Bool
    public var language: String?
    public var flash: String?
    public var created: ContinuousClock.Instant
    /// The staff member last chosen on the movement page, so a run of key-tag scans needs no re-choosing.
    public var lastStaff: String?
}
