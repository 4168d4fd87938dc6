import DriverDeskCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// Runs a task's jobs on one NIO event loop: for the little async work a synchronous caller waits for (a `COPY`), so
/// that it never needs a thread of Swift's cooperative pool.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self
        loop.execute { job.runSynchronously(on: executor.asUnownedTaskExecutor()) }
    }
}

/// Work on a connection's event loop that a thread waits for: its result is set once, before `done` is signalled.
final class PendingWork<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
    let done = DispatchSemaphore(value: 0)
    private var finished = false

    /// Waits for the work (once; later calls return at once) and gives its result, for as long as `connection` is open
    /// and the caller's deadline (`DatabaseDeadline`) lasts.
    ///
    /// postgres-nio never answers a statement sent on a connection that has closed (it writes the statement to the
    /// closed channel and forgets it): a wait looks at the connection four times a second, and ends with `ConnectionLost`
    /// when it has closed or the deadline has passed.
    func wait(on connection: PostgresConnection) throws -> T {
        while !finished {
            if done.wait(timeout: DatabaseDeadline.dispatchTime(atMost: .milliseconds(250))) == .success {
                finished = true
                break
            }
            if DatabaseDeadline.passed { throw ConnectionLost(timedOut: true) }
            if connection.isClosed {
                // An answer that arrived as the connection closed is still taken.
                if done.wait(timeout: .now() + .milliseconds(20)) == .success {
                    finished = true
                    break
                }
                throw ConnectionLost(timedOut: false)
            }
        }
        return try result!.get()
    }

    /// The work of a future of postgres-nio's.
    static func of(_ future: EventLoopFuture<T>) -> PendingWork<T> {
        let work = PendingWork<T>()
        future.whenComplete { result in
            work.result = result
            work.done.signal()
        }
        return work
    }
}

/// The connection closed under a statement, or its answer did not come before the caller's deadline: the connection is
/// dropped (so that the server rolls back whatever was not committed) and the next use makes a new one.
struct ConnectionLost: Error {
    var timedOut: Bool
}

/// A `COPY` under way (`ChainDatabase.startCopy`).
struct PendingCopy {
    let work: PendingWork<Void>
    let connection: PostgresConnection
    let database: ChainDatabase

    /// Waits for the server to have taken every row.
    func finish() throws {
        do {
            try work.wait(on: connection)
        } catch let lost as ConnectionLost {
            database.dropConnection()
            throw lost
        } catch {
            throw DeskError.storage(message: ChainDatabase.describe(error))
        }
    }
}

/// A statement of the shop's SQL, prepared on each connection the first time it runs there (postgres-nio's prepared
/// statements, which it prepares and runs by name; they describe their rows as binary, as the server sends them).
///
/// postgres-nio names a prepared statement by its type, with SQL and types fixed per type; DriverDesk's statements are
/// made at run time (a filter's clauses, a page's LIMIT). So this one type stands for all of them: the statement of the
/// current call is a task-local value, which postgres-nio reads when the call starts, and each distinct text (with the
/// types of its values) has a name of its own. At most `limit` of them; past it a statement runs unprepared.
struct PreparedSQL: PostgresPreparedStatement {
    struct Statement: Sendable {
        var name: String
        var sql: String
        var types: [PostgresDataType]
    }

    @TaskLocal static var current = Statement(name: "", sql: "", types: [])
    private static let names = Mutex<[String: String]>([:])
    static let limit = 512

    /// The statement of `sql` with values of these types, named on first use (and by the connection's generation);
    /// nil past the limit.
    static func statement(_ sql: String, _ binds: [PostgresData], generation: Int) -> Statement? {
        let types = binds.map(\.type)
        let key = types.map { String($0.rawValue) }.joined(separator: ",") + ";" + sql
        let name = names.withLock { names -> String? in
            if let name = names[key] { return name }
            guard names.count < limit else { return nil }
            let name = "driverdesk_\(names.count + 1)"
            names[key] = name
            return name
        }
        return name.map { Statement(name: "\($0)_\(generation)", sql: sql, types: types) }
    }

    static var name: String { current.name }
    static var sql: String { current.sql }
    static var bindingDataTypes: [PostgresDataType] { current.types }

    let binds: [PostgresData]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds { bindings.append(bind) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
