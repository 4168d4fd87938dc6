import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ThrowawayPostgres {
    /// Waits until `condition` (SQL answering one boolean, asked as the superuser) is true, asking every 20 ms for at most
    /// `seconds`, and throws naming `what` if it never is. A test that needs another session to have reached a point
    /// (holding a lock, waiting on one) waits for that point instead of giving it a head start.
    public func waitUntil(_ what: String, _ condition: String, database: String? = nil, seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try rows(condition, as: "postgres", database: database).first == "t" { return }
            guard Date() < deadline else { throw Failure(description: "waited \(seconds) s for \(what)") }
            usleep(20_000)
        }
    }

    /// True once a session whose statement holds `marker` waits for a lock of `kind` (`advisory`, `transactionid`, …).
    public static func waiting(_ marker: String, on kind: String) -> String {
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND strpos(query, '\(marker)') > 0 "
            + "AND wait_event_type = 'Lock' AND wait_event = '\(kind)')"
    }

    /// True once some session waits for the session whose statement holds `marker`.
    public static func blocked(by marker: String) -> String {
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity waiter, pg_stat_activity holder WHERE holder.pid <> pg_backend_pid() "
            + "AND strpos(holder.query, '\(marker)') > 0 AND holder.pid = ANY(pg_blocking_pids(waiter.pid)))"
    }
}

/// A point where another session waits until the test lets it on: a session of its own holds an advisory lock that
/// `statement` waits for; `open()` ends that session. With it, "the other desk has written and not yet committed" is
/// a state the test reaches and holds as long as it likes, not a moment it hopes to hit with a sleep.
public final class SessionGate: @unchecked Sendable {
    let server: ThrowawayPostgres
    let database: String?
    let marker = "gate-" + UUID().uuidString.prefix(8).lowercased()
    let key = Int.random(in: 1_000_000...2_000_000_000)
    let holder: Process

    /// Shuts the gate: returns once its session holds the lock.
    public init(server: ThrowawayPostgres, database: String?) throws {
        self.server = server
        self.database = database
        holder = try server.start("SELECT '\(marker)', pg_advisory_lock(\(key)); SELECT pg_sleep(3600);", as: "postgres", database: database).0
        try server.waitUntil("the gate's session to hold its lock",
                             "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = \(key) AND granted)", database: database)
    }

    /// The statement a session runs to wait at the gate (until its transaction ends).
    public var statement: String { "SELECT pg_advisory_xact_lock_shared(\(key));" }

    /// Opens the gate: ends its session and waits for it to be gone.
    public func open() throws {
        guard holder.isRunning else { return }
        _ = try server.rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND strpos(query, '\(marker)') > 0",
                            as: "postgres", database: database)
        holder.waitUntilExit()
    }

    deinit {
        try? open()
    }
}

/// Runs `work` on a thread of its own (a blocking call the test must watch from outside while it waits) and hands its
/// result back; `wait(seconds:)` fails when it takes longer.
public final class Background<Value>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    public init(_ work: @escaping () throws -> Value) {
        // The work runs on that thread only, and the test reads its result only after the semaphore.
        nonisolated(unsafe) let work = work
        Thread.detachNewThread { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    public func wait(seconds: Double = 60) throws -> Value {
        guard done.wait(timeout: .now() + seconds) == .success, let result else {
            throw ThrowawayPostgres.Failure(description: "the work did not end within \(seconds) s")
        }
        return try result.get()
    }
}
