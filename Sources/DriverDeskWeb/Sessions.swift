import Foundation

/// Sessions live in the server's memory: a restart logs everyone out, which a front desk can live with.
public actor Sessions {
    private var sessions: [String: Session] = [:]
    private let lifetime: Duration = .seconds(12 * 3600)

    public init() {}

    /// The session of a cookie, or a new one.
    public func session(for id: String?) -> Session {
        if let id, let session = sessions[id], ContinuousClock.now - session.created < lifetime { return session }
        if sessions.count > 10_000 {
            // Clients without cookies (probes, load tests) must not grow this without bound: drop the oldest half.
            sessions = sessions.filter { ContinuousClock.now - $0.value.created < lifetime }
            if sessions.count > 10_000 {
                let keep = sessions.values.sorted { $0.created > $1.created }.prefix(5_000)
                sessions = Dictionary(uniqueKeysWithValues: keep.map { ($0.id, $0) })
            }
        }
        let session = Session(id: Sessions.token(), csrf: Sessions.token(), authenticated: false, language: nil, flash: nil, created: .now, lastStaff: nil)
        sessions[session.id] = session
        return session
    }

    public func update(_ session: Session) {
        sessions[session.id] = session
    }

    /// Logging in gets a new session id, so a session fixed by someone else before login is worthless.
    public func renew(_ session: Session) -> Session {
        sessions[session.id] = nil
        var fresh = session
        fresh.id = Sessions.token()
        fresh.csrf = Sessions.token()
        fresh.created = .now
        sessions[fresh.id] = fresh
        return fresh
    }

    public func remove(_ id: String) {
        sessions[id] = nil
    }

    /// 128 random bits, URL-safe.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
