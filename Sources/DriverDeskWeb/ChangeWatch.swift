import DriverDeskCore
import DriverDeskStore
import Foundation
import GRDB
import GRDBSQLite
import Hummingbird
import Synchronization

/// Tells whether the database may have changed since a moment: what the server caches (the settings, the dashboard)
/// is kept while the version stays the same.
///
/// The version is this process's count of committed writes and, for a database file, SQLite's `data_version` read
/// on a connection of the watch's own, which moves whenever any other connection commits: the server's own writer
/// and every command-line process and cron job on the same file.
final class ChangeWatch: Sendable {
    struct Version: Hashable, Sendable {
        var local: Int
        var file: Int
    }

    let database: AppDatabase
    private let probe: Probe?

    init(database: AppDatabase) {
        self.database = database
        // An in-memory database has no other connection: the local count says it all.
        probe = (database.writer as? DatabasePool).flatMap { Probe(path: $0.path) }
    }

    /// The version now: a couple of microseconds (the start of a read transaction on the probe connection).
    func version() -> Version {
        let local = database.changes.count
        guard let probe else { return Version(local: local, file: 0) }
        // When the probe fails, every version is new: nothing cached is trusted.
        return Version(local: local, file: probe.dataVersion() ?? Int.random(in: Int.min..<0))
    }

    /// One read-only SQLite connection and its prepared `PRAGMA data_version`, used under a lock.
    final class Probe: Sendable {
        private struct Handles: @unchecked Sendable {
            var connection: OpaquePointer
            var statement: OpaquePointer
        }

        private let handles: Mutex<Handles>

        init?(path: String) {
            var connection: OpaquePointer?
            guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let connection else {
                sqlite3_close(connection)
                return nil
            }
            sqlite3_busy_timeout(connection, 5_000)
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(connection, "PRAGMA data_version", -1, &statement, nil) == SQLITE_OK, let statement else {
                sqlite3_close(connection)
                return nil
            }
            handles = Mutex(Handles(connection: connection, statement: statement))
        }

        func dataVersion() -> Int? {
            handles.withLock { handles in
                defer { sqlite3_reset(handles.statement) }
                guard sqlite3_step(handles.statement) == SQLITE_ROW else { return nil }
                return Int(sqlite3_column_int64(handles.statement, 0))
            }
        }

        deinit {
            handles.withLock { handles in
                sqlite3_finalize(handles.statement)
                sqlite3_close(handles.connection)
            }
        }
    }
}

/// A value kept while the database's version is unchanged and, when `maxAge` is given, for at most that long.
final class Cached<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var version: ChangeWatch.Version
        var made: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    let maxAge: Duration?

    init(maxAge: Duration? = nil) { self.maxAge = maxAge }

    /// The value for `key` at `version`, made by `make` when there is none or it is out of date.
    func value(_ key: String, at version: ChangeWatch.Version, make: () throws -> Value) rethrows -> Value {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.version == version, maxAge.map({ now - entry.made < $0 }) ?? true {
            return entry.value
        }
        let value = try make()
        entries.withLock { entries in
            if entries.count > 64 { entries.removeAll() }
            entries[key] = Entry(value: value, version: version, made: now)
        }
        return value
    }
}

/// A page rendered once for every session: the places of the session's CSRF token are cut out, and each response
/// puts the token back (the rest of a page does not depend on who asks, only on the language and the login).
struct SharedPage: Sendable {
    let chunks: [ByteBuffer]
    let bytes: Int
    let status: HTTPResponse.Status

    /// What stands for the token while the page is rendered: letters and digits only, so escaping leaves it alone.
    static let marker = "csrfSlot" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    init(_ html: HTML) {
        chunks = html.text.components(separatedBy: SharedPage.marker).map { ByteBuffer(string: $0) }
        bytes = chunks.reduce(0) { $0 + $1.readableBytes }
        status = html.status
    }

    /// The page for one session.
    func response(csrf: String) -> Response {
        var body = ByteBuffer()
        body.reserveCapacity(bytes + csrf.utf8.count * chunks.count)
        for (index, chunk) in chunks.enumerated() {
            if index > 0 { body.writeString(csrf) }
            body.writeImmutableBuffer(chunk)
        }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: body))
    }
}
