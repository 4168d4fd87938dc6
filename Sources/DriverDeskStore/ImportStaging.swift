import DriverDeskCore
import Foundation
import GRDB
internal import GRDBSQLite

/// The rows of an import on their way into `violation`: staged in a temporary table in file order, then moved in one
/// `INSERT OR IGNORE … SELECT`, which SQLite does about twice as fast as one statement per row (100k rows into the
/// chain's violation table with its six indexes: 1.0 s against 1.9 s).
struct ImportStaging {
    /// The columns an import writes, in the order of the staging table.
    static let columns = """
        vehicleId, occurredAt, code, descriptionText, category, location, points, fineFen, recordNo, \
        status, driverId, attribution, needsReview, reasons, movementId, recordedAt
        """

    /// The page cache of an import's connection while it runs, in KiB.
    static let cacheKiB = 8192

    private let insert: Statement
    /// Per staged row, what the outcome counts.
    private var staged: [(kind: Attribution.Kind, needsReview: Bool)] = []

    /// Creates the staging table, inside the import's transaction: a rollback takes it away with the rest.
    init(_ db: Database) throws {
        try db.execute(sql: "CREATE TEMP TABLE violation_import (\(ImportStaging.columns))")
        insert = try db.makeStatement(sql: "INSERT INTO temp.violation_import VALUES (\(Array(repeating: "?", count: 16).joined(separator: ", ")))")
    }

    /// Stages one row as `Violation(…)` and `insert(db)` would write it: status open, the reasons as a JSON array.
    ///
    /// Bound with SQLite's own calls: building `StatementArguments` for 100,000 rows cost a fifth of a second.
    mutating func append(_ new: NewViolation, vehicleId: Int64, attribution: Attribution, recordedAt: Int64) throws {
        let handle = insert.sqliteStatement
        sqlite3_reset(handle)
        var column: Int32 = 0
        var failed = SQLITE_OK
        func check(_ code: Int32) { if code != SQLITE_OK { failed = code } }
        func bind(_ value: Int64?) {
            column += 1
            check(value.map { sqlite3_bind_int64(handle, column, $0) } ?? sqlite3_bind_null(handle, column))
        }
        func bind(_ value: String?) {
            column += 1
            guard var value else { return check(sqlite3_bind_null(handle, column)) }
            value.withUTF8 { bytes in
                guard let base = bytes.baseAddress else { return check(sqlite3_bind_text(handle, column, "", 0, ImportStaging.transient)) }
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    check(sqlite3_bind_text(handle, column, $0, Int32(bytes.count), ImportStaging.transient))
                }
            }
        }
        bind(vehicleId)
        bind(new.occurredAt.seconds)
        bind(new.code)
        bind(new.description)
        bind(new.category)
        bind(new.location)
        bind(Int64(new.points))
        bind(Int64(new.fineFen))
        bind(new.recordNo)
        bind(ViolationStatus.open.rawValue)
        bind(attribution.driver?.id)
        bind(attribution.kind.rawValue)
        bind(attribution.needsReview ? 1 as Int64 : 0)
        bind(Message.encodeList(attribution.reasons))
        bind(attribution.movementId)
        bind(recordedAt)
        let code = failed == SQLITE_OK ? sqlite3_step(handle) : failed
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: insert.sql)
        }
        staged.append((attribution.kind, attribution.needsReview))
    }

    /// SQLite copies the text it is given (SQLITE_TRANSIENT).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Moves the staged rows into `violation` in file order, then drops the staging table; copies already recorded
    /// (same record number, or plate, time and code) are ignored by the unique indexes, as
    /// `violation.insert(db, onConflict: .ignore)` would one by one.
    ///
    /// One statement for all rows says only how many went in; when some were skipped, `insertedRows` finds which.
    /// Should that ever not add up, the statement is undone and the rows go in one by one (`rowByRow` forces it).
    func move(_ db: Database, rowByRow: Bool = false) throws -> ImportOutcome {
        sqlite3_reset(insert.sqliteStatement)
        defer { try? db.execute(sql: "DROP TABLE temp.violation_import") }
        let columns = ImportStaging.columns
        let lastBefore = try Int64.fetchOne(db, sql: "SELECT max(id) FROM violation") ?? 0
        var inserted: [Bool]?
        if !rowByRow {
            try db.inSavepoint {
                try db.execute(sql: "INSERT OR IGNORE INTO violation (\(columns)) SELECT \(columns) FROM temp.violation_import ORDER BY rowid")
                let added = db.changesCount
                // Without AUTOINCREMENT each row takes the largest id plus one: the new ids follow on from `lastBefore`.
                guard added == 0 || db.lastInsertedRowID == lastBefore + Int64(added) else { return .rollback }
                inserted = added == staged.count ? Array(repeating: true, count: added)
                    : added == 0 ? Array(repeating: false, count: staged.count)
                    : try insertedRows(after: lastBefore, added: added, db)
                return inserted == nil ? .rollback : .commit
            }
        }
        var outcome = ImportOutcome(added: 0, skipped: 0, needsReview: 0, byAttribution: [:])
        if let inserted {
            for (row, isIn) in zip(staged, inserted) {
                guard isIn else { outcome.skipped += 1; continue }
                outcome.added += 1
                outcome.byAttribution[row.kind.rawValue, default: 0] += 1
                if row.needsReview { outcome.needsReview += 1 }
            }
            if outcome.added > 0 {
                outcome.firstId = lastBefore + 1
                outcome.lastId = lastBefore + Int64(outcome.added)
            }
            return outcome
        }
        let one = try db.makeStatement(sql: "INSERT OR IGNORE INTO violation (\(columns)) SELECT \(columns) FROM temp.violation_import WHERE rowid = ?")
        for (index, row) in staged.enumerated() {
            try one.execute(arguments: [index + 1])
            if db.changesCount == 1 {
                let id = db.lastInsertedRowID
                outcome.added += 1
                outcome.firstId = outcome.firstId ?? id
                outcome.lastId = id
                outcome.byAttribution[row.kind.rawValue, default: 0] += 1
                if row.needsReview { outcome.needsReview += 1 }
            } else {
                outcome.skipped += 1
            }
        }
        return outcome
    }

    /// Which staged rows the move inserted, when it inserted `added` of them with the ids after `lastBefore`; nil when
    /// the answer does not add up.
    ///
    /// A new violation came from the first staged row equal to it in every column: an equal row before that one would
    /// have met the same conflict or check (nothing is deleted in between), and a row that differs in a column is not
    /// what was written. Plate, time and code are unique in `violation`, so each staged row has at most one match.
    private func insertedRows(after lastBefore: Int64, added: Int, _ db: Database) throws -> [Bool]? {
        let same = ImportStaging.columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !["vehicleId", "occurredAt", "code"].contains($0) }
            .map { "v.\($0) IS t.\($0)" }.joined(separator: " AND ")
        // CROSS JOIN keeps the staging table outside: each of its rows looks its violation up by plate, time and code.
        let rows = try Row.fetchCursor(db, sql: """
            SELECT t.rowid, v.id FROM temp.violation_import t CROSS JOIN violation v
            ON v.vehicleId = t.vehicleId AND v.occurredAt = t.occurredAt AND v.code = t.code
            WHERE v.id > ? AND \(same)
            ORDER BY t.rowid
            """, arguments: [lastBefore])
        var inserted = [Bool](repeating: false, count: staged.count)
        var seen = Set<Int64>()
        var nextId = lastBefore + 1
        while let row = try rows.next() {
            let stagedRow: Int = row[0], id: Int64 = row[1]
            guard seen.insert(id).inserted else { continue }
            // Rows went in in staging order, so their ids count up from `lastBefore` in that order.
            guard id == nextId, (1...staged.count).contains(stagedRow) else { return nil }
            inserted[stagedRow - 1] = true
            nextId += 1
        }
        return seen.count == added ? inserted : nil
    }

    /// Runs `body` with the import's page cache, then puts the connection's size back.
    ///
    /// The move inserts into six indexes at random places: in SQLite's default 2 MB cache those pages spill to the WAL
    /// and are read back (100k rows: 1.5 s against 0.95 s with 8 MB). The memory is what the file reading freed.
    static func withImportCache<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA main.cache_size") ?? -2000
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA main.page_size") ?? 4096
        if (cacheSize < 0 ? -cacheSize : cacheSize * pageSize / 1024) < cacheKiB {
            try db.execute(sql: "PRAGMA main.cache_size = -\(cacheKiB)")
        }
        defer { try? db.execute(sql: "PRAGMA main.cache_size = \(cacheSize)") }
        return try body()
    }
}
