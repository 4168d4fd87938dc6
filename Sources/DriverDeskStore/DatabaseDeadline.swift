import Dispatch
import Foundation

/// How long the caller may wait for the database: the web sets one for each request (`web.databaseTimeoutSeconds`
/// from its arrival); a command sets none and waits as long as its work takes.
///
/// Every wait of the store is bounded by it: for a free connection, for a statement's answer, for a new connection
/// after one was lost, for SQLite's lock. Past it, the wait ends with `DeskError.unavailable`.
public enum DatabaseDeadline {
    /// The instant the current task's waits end; nil: no limit.
    @TaskLocal public static var current: ContinuousClock.Instant?

    /// Runs `body` with waits that end `seconds` from now.
    public static func within<T>(seconds: Int, _ body: () async throws -> T) async rethrows -> T {
        try await $current.withValue(ContinuousClock.now + .seconds(seconds), operation: body)
    }

    /// The time left before the deadline (zero once it passed), or nil without one.
    static var remaining: Duration? {
        guard let current else { return nil }
        return max(.zero, current - ContinuousClock.now)
    }

    /// Whether the deadline has passed.
    static var passed: Bool { remaining == .zero }

    /// `DispatchTime` of the earlier of the deadline and `limit` from now.
    static func dispatchTime(atMost limit: Duration) -> DispatchTime {
        let wait = min(limit, remaining ?? limit)
        let (seconds, attoseconds) = wait.components
        return .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
