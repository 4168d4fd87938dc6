import Hummingbird
import NIOCore

/// The request context of the front desk: the session the cookie names, filled by `SessionMiddleware`.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: Session?
    /// Whether the request came without a known session cookie (its session was made for it).
    public var sessionIsNew = true
    /// The posted form, parsed once by `CSRFMiddleware`.
    public var form: Form?
    /// The client's address (for limits that a client dropping its cookie must not escape).
    public var remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address without its port, or "unknown".
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

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
