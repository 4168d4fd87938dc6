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

    /// Whether every key (a session, an address) is under its limit (`limit` times its factor) now.
    public func allowed(_ keys: [(key: String, factor: Int)]) -> Bool {
        let now = ContinuousClock.now
        var allowed = true
        for (key, factor) in keys {
            let recent = (misses[key] ?? []).filter { now - $0 < window }
            misses[key] = recent.isEmpty ? nil : recent
            if recent.count >= limit * factor { allowed = false }
        }
        return allowed
    }

    /// Whether this one key may look up another reference now.
    public func allowed(_ key: String) -> Bool { allowed([(key, 1)]) }

    /// An unknown reference was asked for: it counts against every key.
    public func missed(_ keys: [String]) {
        for key in keys { misses[key, default: []].append(.now) }
        if misses.count > 50_000 { misses.removeAll() }
    }

    public func missed(_ key: String) { missed([key]) }
}
