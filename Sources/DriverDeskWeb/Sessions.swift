import Foundation

/// Sessions live in the server's memory: a restart logs everyone out, which a front desk can live with.
public actor Sessions {
    private var sessions: [String: Session] = [:]
    /// Session ids from oldest to newest (some already gone), from `head` on: the oldest go first when there are too many.
    private var order: [String] = []
    private var head = 0
    private let lifetime: Duration = .seconds(12 * 3600)
    /// Clients without cookies (probes, load tests) make a session per request: past this many, the oldest go.
    let limit: Int

    public init(limit: Int = 10_000) {
        self.limit = limit
    }

    /// How many sessions are kept now.
    public var count: Int { sessions.count }

    /// The session of a cookie, or a new one.
    public func session(for id: String?) -> Session {
        if let id, let session = sessions[id] {
            if ContinuousClock.now - session.created < lifetime { return session }
            sessions[id] = nil
        }
        let session = Session(id: Sessions.token(), csrf: Sessions.token())
        add(session)
        return session
    }

    private func add(_ session: Session) {
        sessions[session.id] = session
        order.append(session.id)
        // Drop the oldest (in order of creation) down to nine tenths of the limit: amortised constant time.
        if sessions.count > limit {
            while sessions.count > limit * 9 / 10, head < order.count {
                sessions[order[head]] = nil
                head += 1
            }
        }
        if head > 4_096, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    public func update(_ session: Session) {
        if sessions[session.id] == nil { order.append(session.id) }
        sessions[session.id] = session
    }

    /// Changes a session as it is now, not as a request read it at its start: two changes of one request (a choice
    /// remembered, then a message for the next page) never undo each other.
    public func modify(_ id: String, _ change: @Sendable (inout Session) -> Void) {
        guard var session = sessions[id] else { return }
        change(&session)
        sessions[id] = session
    }

    /// Logging in gets a new session id, so a session fixed by someone else before login is worthless.
    public func renew(_ session: Session) -> Session {
        sessions[session.id] = nil
        var fresh = session
        fresh.id = Sessions.token()
        fresh.csrf = Sessions.token()
        fresh.created = .now
        add(fresh)
        return fresh
    }

    public func remove(_ id: String) {
        sessions[id] = nil
    }

    /// Ends every session of an account (a new password, or disabled), but `keeping` one.
    public func end(accountId: Int64, keeping: String? = nil) {
        for (id, session) in sessions where session.person?.accountId == accountId && id != keeping { sessions[id] = nil }
    }

    /// Notes that a session was used at `now` (its idle spell starts again).
    public func touch(_ id: String, at now: Date) {
        sessions[id]?.lastSeen = now
    }

    /// 128 random bits from the system's generator, as 32 hexadecimal digits.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let words: [UInt64] = [generator.next(), generator.next()]
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(32)
        for word in words {
            for shift in stride(from: 60, through: 0, by: -4) { text.append(digits[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
