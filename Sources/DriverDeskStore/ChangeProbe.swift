import GRDB
internal import GRDBSQLite
import Synchronization

extension AppDatabase {
    public var isChain: Bool { false }
    public func changeSource() -> ShopChanges { .probe(changeProbe()) }

    /// A quick way to tell whether the database may have changed since a moment, for whoever caches what it holds
    /// (the web's settings and dashboard).
    ///
    /// On a database opened as a pool, the probe opens one read-only SQLite connection of its own on the file; on a
    /// single connection or in memory it counts this process's writes only.
    public func changeProbe() -> ChangeProbe {
        // An in-memory database has no other connection: the local count says it all.
        ChangeProbe(changes: changes, path: (writer as? DatabasePool)?.path)
    }
}

/// Whether the database may have changed: its version is this process's count of committed writes (`changes`, bumped
/// by `AppDatabase.write`) and, for a file, SQLite's `data_version` read on a connection of the probe's own, which
/// moves whenever any other connection commits: the server's own writer and every command-line process and cron job
/// on the same file.
///
/// Reading a version costs a couple of microseconds: an atomic load, and one step of a prepared `PRAGMA data_version`
/// under a lock (no GRDB read, no transaction of its own).
public final class ChangeProbe: Sendable {
    /// Two versions compare equal only when nothing was committed in between.
    public struct Version: Hashable, Sendable {
        var local: Int
        var file: Int
    }

    private let changes: ChangeCounter
    private let file: FileVersion?

    init(changes: ChangeCounter, path: String?) {
        self.changes = changes
        file = path.flatMap { FileVersion(path: $0) }
    }

    /// The version now.
    public func version() -> Version {
        let local = changes.count
        guard let file else { return Version(local: local, file: 0) }
        // When the probe fails, every version is new: nothing cached is trusted.
        return Version(local: local, file: file.dataVersion() ?? Int.random(in: Int.min..<0))
    }

    /// One read-only SQLite connection and its prepared `PRAGMA data_version`, used under a lock.
    final class FileVersion: Sendable {
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
