import Foundation

/// Invite references resist guessing: 40 random bits, and a session that tries unknown ones is slowed to a stop.
public actor LookupThrottle {
    private var misses: [String: [ContinuousClock.Instant]] = [:]
    let limit: Int
    let window: Duration

    public init(limit: Int = 20, window: Duration = .seconds(600)) {
        self.limit = limit
        self.window = window
    }

    /// Whether this session (or address) may look up another reference now.
    public func allowed(_ key: String) -> Bool {
        let now = ContinuousClock.now
        let recent = (misses[key] ?? []).filter { now - $0 < window }
        misses[key] = recent
        return recent.count < limit
    }

    /// An unknown reference was asked for.
    public func missed(_ key: String) {
        misses[key, default: []].append(.now)
        if misses.count > 50_000 { misses.removeAll() }
    }
}
