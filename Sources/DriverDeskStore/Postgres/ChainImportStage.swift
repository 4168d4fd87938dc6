import DriverDeskCore
import Foundation
import PostgresNIO

/// An import's rows on a chain: written in PostgreSQL's COPY text format as they come, then streamed with `COPY` into
/// a staging table of this session (`begin_violation_import`) and moved into `violation` with one statement, in file
/// order; copies already recorded (same record number, or plate, time and code, also earlier in the same file) are
/// skipped, as SQLite's `INSERT OR IGNORE` does. Which rows are copies is decided before the move (the recorded ones
/// that match a staged row are read in one query), so a skipped row takes no number from the sequence. The move is a
/// plain INSERT (`ON CONFLICT DO NOTHING` would probe every unique index before each row): a copy that another desk
/// records during the import makes it fail with a unique violation, and the import runs again from the start
/// (`ChainDatabase.inShop`), then skipping that copy as recorded.
struct ChainImportStage: ImportStage {
    let transaction: ChainTransaction
    /// The rows not yet sent; sent with `COPY` each time they reach `chunk` bytes, so that a big file's rows are never
    /// all held in memory at once.
    private var data = Data()
    /// Whether the staging table of this transaction is made.
    private var staging = false
    /// The rows sent last, while the server takes them (one `COPY` at a time on the connection).
    private var pending: PendingCopy?
    static let chunk = 4 << 20
    private var lines = 0
    /// Per staged row: its record number and its plate, time and code, to tell the copies.
    private var keys: [(recordNo: String?, identity: Identity)] = []

    struct Identity: Hashable {
        var vehicleId: Int64
        var occurredAt: Int64
        var code: String
    }

    init(transaction: ChainTransaction) {
        self.transaction = transaction
        data.reserveCapacity(ChainImportStage.chunk + (64 << 10))
    }

    /// Sends the rows held so far to the staging table (made first, on the first call), once the server has taken
    /// those sent before; it takes them while the caller makes the next ones.
    private mutating func send() throws {
        if !staging {
            _ = try transaction.database.rawQuery("SELECT begin_violation_import()")
            staging = true
        }
        try pending?.finish()
        pending = nil
        guard !data.isEmpty else { return }
        pending = try transaction.database.startCopy(into: "violation_import", columns: ChainImportStage.columns, data: data)
        data = Data()
        data.reserveCapacity(ChainImportStage.chunk + (64 << 10))
    }

    static let columns = ["line", "vehicle_id", "occurred_at", "code", "description_text", "category", "location", "points", "fine_fen", "record_no", "status",
                          "driver_id", "attribution", "needs_review", "reasons", "movement_id", "recorded_at"]

    /// A field in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped.
    private static func field(_ value: String?) -> String {
        guard let value else { return "\\N" }
        guard value.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\t": escaped += "\\t"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\r\n": escaped += "\\r\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    mutating func append(_ new: NewViolation, vehicleId: Int64, attribution: Attribution, recordedAt: Int64) throws {
        lines += 1
        let fields: [String?] = [
            String(lines), String(vehicleId), String(new.occurredAt.seconds), new.code, new.description, new.category, new.location, String(new.points),
            String(new.fineFen), new.recordNo, ViolationStatus.open.rawValue, attribution.driver.map { String($0.id) }, attribution.kind.rawValue,
            attribution.needsReview ? "t" : "f", Message.encodeList(attribution.reasons), attribution.movementId.map(String.init), String(recordedAt),
        ]
        data.append(contentsOf: (fields.map(ChainImportStage.field).joined(separator: "\t") + "\n").utf8)
        keys.append((new.recordNo, Identity(vehicleId: vehicleId, occurredAt: new.occurredAt.seconds, code: new.code)))
        if data.count >= ChainImportStage.chunk { try send() }
    }

    /// The staged lines (from 1) that go in: in file order, each unless a recorded violation (`recorded`: the lines that
    /// match one) or a line before it that goes in has its record number or its plate, time and code.
    func linesToMove(recorded: Set<Int>) -> [Int32] {
        var numbers = Set<String>(), identities = Set<Identity>()
        var moving: [Int32] = []
        for (index, key) in keys.enumerated() where !recorded.contains(index + 1) {
            if let number = key.recordNo, numbers.contains(number) { continue }
            if identities.contains(key.identity) { continue }
            if let number = key.recordNo { numbers.insert(number) }
            identities.insert(key.identity)
            moving.append(Int32(index + 1))
        }
        return moving
    }

    mutating func move(rowByRow: Bool) throws -> ImportOutcome {
        var outcome = ImportOutcome(added: 0, skipped: lines, needsReview: 0, byAttribution: [:])
        guard lines > 0 else { return outcome }
        try send()
        try pending?.finish()
        pending = nil
        let recorded = Set(try transaction.database.rawQuery("""
            SELECT DISTINCT t.line FROM violation_import t JOIN violation v
              ON v.record_no = t.record_no OR (v.vehicle_id = t.vehicle_id AND v.occurred_at = t.occurred_at AND v.code = t.code)
            """).map { Int(try $0.decode(Int32.self)) })
        let moving = linesToMove(recorded: recorded)
        guard !moving.isEmpty else { return outcome }
        // The lines left out (usually none): a filter on a short list, not on the lines that go in. The rows moved are
        // counted by the server, one row per kind of attribution, instead of coming back one by one.
        var left: [Int32] = []
        var next = moving.makeIterator()
        var nextMoving = next.next()
        for line in Int32(1)...Int32(lines) {
            if line == nextMoving { nextMoving = next.next() } else { left.append(line) }
        }
        let moved = try transaction.database.rawQuery("""
            WITH moved AS (
                INSERT INTO violation (shop_id, vehicle_id, occurred_at, code, description_text, category, location, points, fine_fen, record_no, status,
                                       driver_id, driver_person_id, attribution, needs_review, reasons, movement_id, recorded_at)
                SELECT $2::bigint, t.vehicle_id, t.occurred_at, t.code, t.description_text, t.category, t.location, t.points, t.fine_fen, t.record_no, t.status,
                       t.driver_id, s.person_id, t.attribution, t.needs_review, t.reasons, t.movement_id, t.recorded_at
                FROM violation_import t LEFT JOIN staff s ON s.id = t.driver_id
                WHERE NOT (t.line = ANY($1))
                ORDER BY t.line
                RETURNING id, attribution, needs_review
            )
            SELECT attribution, count(*), count(*) FILTER (WHERE needs_review), min(id), max(id) FROM moved GROUP BY attribution
            """, [PostgresData(array: left.map { PostgresData(int32: $0) }, elementType: .int4), PostgresData(int64: transaction.shopId)])
        for row in moved {
            let (kind, count, review, first, last) = try row.decode((String, Int64, Int64, Int64, Int64).self)
            outcome.added += Int(count)
            outcome.needsReview += Int(review)
            outcome.firstId = min(outcome.firstId ?? first, first)
            outcome.lastId = max(outcome.lastId ?? last, last)
            outcome.byAttribution[kind, default: 0] += Int(count)
        }
        outcome.skipped = lines - outcome.added
        return outcome
    }
}
