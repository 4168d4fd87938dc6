import DriverDeskApp
import Foundation
import Hummingbird
import NIOCore

/// A request context with a browser's session and the form its POST carried (the shop's front desk, the chain's page).
public protocol SessionRequestContext: RequestContext {
    var session: Session? { get set }
    /// Whether the request came without a known session cookie (its session was made for it).
    var sessionIsNew: Bool { get set }
    var form: Form? { get set }
}

/// The request context of the front desk: the session the cookie names, filled by `SessionMiddleware`.
public struct WebContext: SessionRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: Session?
    /// Whether the request came without a known session cookie (its session was made for it).
    public var sessionIsNew = true
    /// The posted form, parsed once by `CSRFMiddleware`.
    public var form: Form?
    /// The client's address (for limits that a client dropping its cookie must not escape).
    public var remoteAddress: SocketAddress?
    /// Behind a reverse proxy (`serve --behind-proxy`): the phone's or PC's address the proxy put last in
    /// `X-Forwarded-For`, or "proxy" when it named none.
    public var forwardedFor: String?
    /// Whether the database changed, read once for the request (`VersionMiddleware`; nil on the chain's page).
    public var version: ChangeWatch.Version?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address without its port, or "unknown".
    public var clientAddress: String { forwardedFor ?? remoteAddress?.ipAddress ?? "unknown" }

    /// Whether the request came from this PC itself (no idle limit): never behind a proxy, whose requests all do.
    public var isFromThisPC: Bool { forwardedFor == nil && (remoteAddress.map { WebApp.isLoopback($0.ipAddress ?? "") } ?? false) }
}

/// One browser's session: its CSRF token, who logged in, its language and a message for the next page.
public struct Session: Sendable {
    public var id: String
    public var csrf: String
    /// The person who logged in, or nil.
    public var person: SignedIn?
    /// When he logged in, and when the session was last used (on the server's clock): a shift, and an idle spell off
    /// this PC, end it (`SessionRules`).
    public var loggedInAt: Date?
    public var lastSeen: Date?
    public var language: String?
    public var flash: String?
    /// What the message after a POST links to, and the link's words (the registration to remove after a payment).
    public var flashLink: FlashLink?
    public var created: ContinuousClock.Instant
    /// What was last chosen on the movement page's two forms, so a run of key-tag scans needs no re-choosing and a
    /// refused try leaves the choice as the clerk made it.
    public var moves = MoveChoices()

    public var authenticated: Bool { person != nil }

    init(id: String, csrf: String, created: ContinuousClock.Instant = .now) {
        self.id = id
        self.csrf = csrf
        self.created = created
    }
}

/// The movement page's memory, per session and per form: the start form (and every scan) and the 补录 form keep
/// their own driver and purpose, after a success, a refusal or a scan that found nothing. nil: nothing chosen yet,
/// and then nobody is preselected.
public struct MoveChoices: Sendable, Equatable {
    public var startStaff: String?
    public var startPurpose: String?
    public var logStaff: String?
    public var logPurpose: String?
    /// The movement this session started last, shown large with an undo while `movement.undoMinutes` lasts.
    public var justStarted: JustStarted?

    public struct JustStarted: Sendable, Equatable {
        public var movementId: Int64
        public var plate: String
        public var staff: String
        public var purpose: String
        /// On the server's clock.
        public var at: Date
    }

    /// A form's value as a choice: an empty option is no choice.
    static func chosen(_ raw: String?) -> String? {
        guard let text = raw?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }
}

/// A link under the message after a POST: where to go next.
public struct FlashLink: Sendable, Equatable {
    public var href: String
    public var text: String
}
