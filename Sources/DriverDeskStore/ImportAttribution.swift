import DriverDeskCore
import Foundation
import GRDB
internal import GRDBSQLite

/// R2 for a whole import: for every record, the movements and visit that `AppDatabase.attribution(vehicle:at:...)`
/// would fetch, gathered in one pass over the movement and visit tables instead of three queries per record.
///
/// The facts it gives (the use case hands them to the core, which decides R2) are the same, in the same order, as the
/// per-record queries give:
/// the movements of the car starting within the slack of the time (by start, then id), then the last one
/// starting before that (the highest start, then id), and the last visit checked in at or before the time.
///
/// Everything is kept in flat arrays, a slot per record: a hundred thousand records take a few megabytes.
struct ImportAttribution {
    /// A movement as the rule needs it; dates as seconds since 1970, like the columns.
    struct MovementFact {
        var id: Int64
        var start: Int64
        var end: Int64?
        /// An index into `staff`.
        var staff: Int32
        var purpose: MovementPurpose

        /// The order of `ORDER BY startAt` on the index `movement_by_vehicle(vehicleId, startAt)`: ties by rowid.
        func precedes(_ other: MovementFact) -> Bool { (start, id) < (other.start, other.id) }
    }

    struct VisitFact {
        var id: Int64
        var checkin: Int64
        var checkout: Int64?

        func precedes(_ other: VisitFact) -> Bool { (checkin, id) < (other.checkin, other.id) }
    }

    let slack: Int64
    let config: Config
    /// Vehicle id → car number, for the cars of the list.
    private var cars: CarNumbers
    /// Per car number.
    private var plates: [String] = []
    /// Per car number, and one more: where the car's slots begin in `times`, `lastBefore` and `visit`.
    private var slotStart: [Int] = []
    /// The records' times, by car, then time (a time may repeat).
    private var times: [Int64] = []
    /// Per slot: the last movement of the car starting more than the slack before the time.
    private var lastBefore: [MovementFact?] = []
    /// Per slot: the last visit of the car checked in at or before the time.
    private var visit: [VisitFact?] = []
    /// Per car number, and one more: where the car's movements begin in `near`.
    private var nearStart: [Int] = []
    /// Movements starting within the slack of some record's time of their car, by car, then start, then id.
    private var near: [MovementFact] = []
    private var staff: [StaffRef] = []
    private var staffIndex: [Int64: Int32] = [:]
    /// Per movement in `near`, its car number (while the movements are read).
    private var nearCar: [Int32] = []

    /// Prepares for the records of `vehicleIds` at `instants`; the facts are then read with `beginMovements`,
    /// `consider(movement…)`, `endMovements`, `consider(visit…)` and `endVisits`, in one pass over each table.
    init(vehicleIds: [Int64], instants: [Date], plates plateOf: [Int64: String], config: Config) {
        self.config = config
        slack = Int64(config.slack)
        cars = CarNumbers(orderOfFirstUse: vehicleIds)
        plates = cars.vehicleIds.map { plateOf[$0]! }
        // Slots by car (a counting sort), then by time within each car.
        var counts = [Int](repeating: 0, count: plates.count + 1)
        for vehicleId in vehicleIds { counts[cars[vehicleId]! + 1] += 1 }
        for car in plates.indices { counts[car + 1] += counts[car] }
        slotStart = counts
        var next = counts
        times = [Int64](repeating: 0, count: vehicleIds.count)
        for (vehicleId, instant) in zip(vehicleIds, instants) {
            let car = cars[vehicleId]!
            times[next[car]] = instant.seconds
            next[car] += 1
        }
        for car in plates.indices { times[slotStart[car]..<slotStart[car + 1]].sort() }
        lastBefore = Array(repeating: nil, count: times.count)
        visit = Array(repeating: nil, count: times.count)
    }

    /// Reads the facts from a shop's SQLite file: one scan of `movement`, one of `visit`, with SQLite's own calls.
    init(vehicleIds: [Int64], instants: [Date], plates plateOf: [Int64: String], config: Config, _ db: Database) throws {
        self.init(vehicleIds: vehicleIds, instants: instants, plates: plateOf, config: config)
        try readMovements(db)
        try readVisits(db)
    }

    /// What R2 needs of one record of the list given to `init`, from the facts read.
    func facts(vehicleId: Int64, at instant: Date) -> AttributionFacts {
        let car = cars[vehicleId]!
        let plate = plates[car]
        let t = instant.seconds
        let slot = ImportAttribution.lowerBound(slotStart[car], slotStart[car + 1], t) { times[$0] }
        var movements: [MovementSpan] = []
        var k = ImportAttribution.lowerBound(nearStart[car], nearStart[car + 1], t - slack) { near[$0].start }
        while k < nearStart[car + 1], near[k].start <= t + slack {
            movements.append(span(near[k], plate: plate))
            k += 1
        }
        if let last = lastBefore[slot] { movements.append(span(last, plate: plate)) }
        let visits = visit[slot].map { [VisitSpan(id: $0.id, checkin: date($0.checkin), checkout: $0.checkout.map(date))] } ?? []
        return AttributionFacts(plate: plate, movements: movements, visits: visits)
    }

    private func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    private func span(_ fact: MovementFact, plate: String) -> MovementSpan {
        MovementSpan(id: fact.id, plate: plate, staff: staff[Int(fact.staff)], start: date(fact.start), end: fact.end.map(date), purpose: fact.purpose)
    }

    /// One pass over every movement: keeps those near a record's time, and per slot the last one before it.
    private mutating func readMovements(_ db: Database) throws {
        // The per-record query joins staff: a movement without its staff row (impossible with foreign keys) is not seen.
        beginMovements(staff: try Row.fetchAll(db, sql: "SELECT id, name FROM staff").map { ($0[0], $0[1]) })
        try ImportAttribution.scan(db, sql: "SELECT vehicleId, startAt, id, staffId, endAt, purpose FROM movement") { row in
            guard let wanted = wants(vehicleId: sqlite3_column_int64(row, 0), start: sqlite3_column_int64(row, 1)) else { return }
            let purpose = sqlite3_column_text(row, 5).map { String(cString: $0) } ?? ""
            consider(wanted, id: sqlite3_column_int64(row, 2), staffId: sqlite3_column_int64(row, 3),
                     end: sqlite3_column_type(row, 4) == SQLITE_NULL ? nil : sqlite3_column_int64(row, 4), purpose: purpose)
        }
        endMovements()
    }

    /// A movement the pass may keep: its car, start, whether it is near a record, and the first slot it may be the last
    /// movement before.
    struct Wanted {
        var car: Int
        var start: Int64
        var isNear: Bool
        var after: Int
        var isCandidate: Bool
    }

    /// The staff, before the movements: a movement whose driver is not among them is not seen (as the per-record
    /// query's join does).
    mutating func beginMovements(staff rows: [(Int64, String)]) {
        staffIndex = [:]
        for (id, name) in rows {
            staffIndex[id] = Int32(staff.count)
            staff.append(StaffRef(id: id, name: name))
        }
        nearCar = []
    }

    /// Whether a movement of `vehicleId` starting at `start` matters to some record; nil: skip it (its other columns
    /// need not even be read).
    func wants(vehicleId: Int64, start: Int64) -> Wanted? {
        guard let car = cars[vehicleId] else { return nil }
        let first = slotStart[car], end = slotStart[car + 1]
        // Near some record: start - slack <= t <= start + slack.
        let from = ImportAttribution.lowerBound(first, end, start - slack) { times[$0] }
        let isNear = from < end && times[from] <= start + slack
        // Before the slack of the records with t > start + slack, whose slots begin at `after`.
        let after = ImportAttribution.lowerBound(first, end, start + slack + 1) { times[$0] }
        let isCandidate = after < end
        guard isNear || isCandidate else { return nil }
        return Wanted(car: car, start: start, isNear: isNear, after: after, isCandidate: isCandidate)
    }

    /// Keeps a movement `wants` asked for.
    mutating func consider(_ wanted: Wanted, id: Int64, staffId: Int64, end: Int64?, purpose: String) {
        guard let driver = staffIndex[staffId] else { return }
        let fact = MovementFact(id: id, start: wanted.start, end: end, staff: driver, purpose: MovementPurpose(rawValue: purpose) ?? .other)
        if wanted.isNear {
            near.append(fact)
            nearCar.append(Int32(wanted.car))
        }
        // For now the best candidate of the first qualifying slot; the prefix maximum below spreads it.
        if wanted.isCandidate, lastBefore[wanted.after].map({ $0.precedes(fact) }) ?? true { lastBefore[wanted.after] = fact }
    }

    /// After the last movement: spreads the candidates over the slots and orders what is near by car, start and id.
    mutating func endMovements() {
        for car in plates.indices {
            var best: MovementFact?
            for slot in slotStart[car]..<slotStart[car + 1] {
                if let candidate = lastBefore[slot], best.map({ $0.precedes(candidate) }) ?? true { best = candidate }
                lastBefore[slot] = best
            }
        }
        let order = near.indices.sorted { a, b in
            nearCar[a] != nearCar[b] ? nearCar[a] < nearCar[b] : near[a].precedes(near[b])
        }
        near = order.map { near[$0] }
        nearStart = [Int](repeating: 0, count: plates.count + 1)
        for car in nearCar { nearStart[Int(car) + 1] += 1 }
        for car in plates.indices { nearStart[car + 1] += nearStart[car] }
    }

    /// One pass over every visit: per slot, the last visit checked in at or before the time.
    private mutating func readVisits(_ db: Database) throws {
        try ImportAttribution.scan(db, sql: "SELECT vehicleId, checkinAt, id, checkoutAt FROM visit") { row in
            consider(visitOf: sqlite3_column_int64(row, 0), checkin: sqlite3_column_int64(row, 1), id: sqlite3_column_int64(row, 2),
                     checkout: sqlite3_column_type(row, 3) == SQLITE_NULL ? nil : sqlite3_column_int64(row, 3))
        }
        endVisits()
    }

    /// Keeps a visit when it is the last one checked in at or before some record's time.
    mutating func consider(visitOf vehicleId: Int64, checkin: Int64, id: Int64, checkout: Int64?) {
        guard let car = cars[vehicleId] else { return }
        // The records with t >= checkin: their slots begin at `from`.
        let from = ImportAttribution.lowerBound(slotStart[car], slotStart[car + 1], checkin) { times[$0] }
        guard from < slotStart[car + 1] else { return }
        let fact = VisitFact(id: id, checkin: checkin, checkout: checkout)
        if visit[from].map({ $0.precedes(fact) }) ?? true { visit[from] = fact }
    }

    /// After the last visit: spreads each over the slots after it.
    mutating func endVisits() {
        for car in plates.indices {
            var best: VisitFact?
            for slot in slotStart[car]..<slotStart[car + 1] {
                if let candidate = visit[slot], best.map({ $0.precedes(candidate) }) ?? true { best = candidate }
                visit[slot] = best
            }
        }
    }

    /// Steps through a query with SQLite's own calls: over a million movements, decoding each row through `Row`
    /// costs more than everything else this pass does.
    private static func scan(_ db: Database, sql: String, _ body: (OpaquePointer) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
            }
            try body(handle)
        }
    }

    /// The first index in `low..<high` whose value is >= `target` (the values ascend), else `high`.
    static func lowerBound(_ low: Int, _ high: Int, _ target: Int64, _ value: (Int) -> Int64) -> Int {
        var low = low, high = high
        while low < high {
            let middle = (low + high) / 2
            if value(middle) < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Vehicle ids to car numbers 0, 1, 2, ...: an array when the ids are small (they count up from 1), else a dictionary.
struct CarNumbers {
    private(set) var vehicleIds: [Int64] = []
    private var dense: [Int32] = []
    private var sparse: [Int64: Int] = [:]

    init(orderOfFirstUse ids: [Int64]) {
        var numbers: [Int64: Int] = [:]
        for id in ids where numbers[id] == nil {
            numbers[id] = vehicleIds.count
            vehicleIds.append(id)
        }
        let largest = vehicleIds.max() ?? 0
        if (vehicleIds.min() ?? 0) >= 0 && largest < Int64(4 * vehicleIds.count + 65_536) {
            dense = [Int32](repeating: -1, count: Int(largest) + 1)
            for (number, id) in vehicleIds.enumerated() { dense[Int(id)] = Int32(number) }
        } else {
            sparse = numbers
        }
    }

    subscript(vehicleId: Int64) -> Int? {
        if dense.isEmpty { return sparse[vehicleId] }
        guard vehicleId >= 0 && vehicleId < Int64(dense.count) else { return nil }
        let number = dense[Int(vehicleId)]
        return number < 0 ? nil : Int(number)
    }
}
