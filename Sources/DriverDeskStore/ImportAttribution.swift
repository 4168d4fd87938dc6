import DriverDeskCore
import Foundation
import GRDB

/// R2 for a whole import: for every record, the movements and visit that `AppDatabase.attribution(vehicle:at:...)`
/// would fetch, gathered in one pass over the movement and visit tables instead of three queries per record.
///
/// The facts handed to `Attribution.decide` are the same, in the same order, as the per-record queries give:
/// the movements of the car starting within the slack of the time (by start, then id), then the last one
/// starting before that (the highest start, then id), and the last visit checked in at or before the time.
struct ImportAttribution {
    /// A movement as the rule needs it; dates as seconds since 1970, like the columns.
    struct MovementFact {
        var id: Int64
        var staff: StaffRef
        var start: Int64
        var end: Int64?
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

    /// One car's records and the facts around their times.
    struct Car {
        var plate: String
        /// The times of the car's records, sorted (a time may repeat).
        var times: [Int64] = []
        /// Movements starting within the slack of some record's time, by start then id.
        var near: [MovementFact] = []
        /// Per time: the last movement starting more than the slack before it.
        var lastBefore: [MovementFact?] = []
        /// Per time: the last visit checked in at or before it.
        var visit: [VisitFact?] = []
    }

    let slack: Int64
    let config: Config
    private var carIndex: [Int64: Int] = [:]
    private var cars: [Car] = []

    /// Reads the facts for `list` (every plate already known) in one scan of `movement` and one of `visit`.
    init(_ list: [NewViolation], vehicles: [String: Vehicle], config: Config, _ db: Database) throws {
        self.config = config
        slack = Int64(config.slack)
        for new in list {
            let vehicle = vehicles[new.plate.text]!
            let index: Int
            if let known = carIndex[vehicle.id!] {
                index = known
            } else {
                index = cars.count
                carIndex[vehicle.id!] = index
                cars.append(Car(plate: vehicle.plate))
            }
            cars[index].times.append(new.occurredAt.seconds)
        }
        for index in cars.indices {
            cars[index].times.sort()
            cars[index].lastBefore = Array(repeating: nil, count: cars[index].times.count)
            cars[index].visit = Array(repeating: nil, count: cars[index].times.count)
        }
        try readMovements(db)
        try readVisits(db)
    }

    /// R2 for one record of the list given to `init`, decided by the core from the facts read.
    func attribution(vehicleId: Int64, at instant: Date, isParking: Bool) -> Attribution {
        let car = cars[carIndex[vehicleId]!]
        let t = instant.seconds
        let slot = ImportAttribution.lowerBound(car.times, t)
        var movements: [MovementSpan] = []
        var k = ImportAttribution.lowerBound(car.near.count, { car.near[$0].start }, t - slack)
        while k < car.near.count, car.near[k].start <= t + slack {
            movements.append(span(car.near[k], plate: car.plate))
            k += 1
        }
        if let last = car.lastBefore[slot] { movements.append(span(last, plate: car.plate)) }
        let visits = car.visit[slot].map { [VisitSpan(id: $0.id, checkin: date($0.checkin), checkout: $0.checkout.map(date))] } ?? []
        return Attribution.decide(plate: car.plate, at: instant, isParking: isParking, movements: movements, visits: visits,
                                  slack: config.slack, time: config.time)
    }

    private func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    private func span(_ fact: MovementFact, plate: String) -> MovementSpan {
        MovementSpan(id: fact.id, plate: plate, staff: fact.staff, start: date(fact.start), end: fact.end.map(date), purpose: fact.purpose)
    }

    /// One pass over every movement: keeps those near a record's time, and per time the last one before it.
    private mutating func readMovements(_ db: Database) throws {
        // The per-record query joins staff: a movement without its staff row (impossible with foreign keys) is not seen.
        var staff: [Int64: StaffRef] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name FROM staff") {
            let id: Int64 = row[0]
            staff[id] = StaffRef(id: id, name: row[1])
        }
        // Per car and per slot: the best "last before" candidate whose qualifying records start at that slot.
        var firstQualifying: [[MovementFact?]] = cars.map { Array(repeating: nil, count: $0.times.count) }
        let rows = try Row.fetchCursor(db, sql: "SELECT vehicleId, startAt, id, staffId, endAt, purpose FROM movement")
        while let row = try rows.next() {
            guard let index = carIndex[row[0]] else { continue }
            let start: Int64 = row[1]
            let times = cars[index].times
            // Near some record: start - slack <= t <= start + slack.
            let from = ImportAttribution.lowerBound(times, start - slack)
            let isNear = from < times.count && times[from] <= start + slack
            // Before the slack of the records with t > start + slack: they start at `after`.
            let after = ImportAttribution.upperBound(times, start + slack)
            let isCandidate = after < times.count
            guard isNear || isCandidate else { continue }
            guard let driver = staff[row[3]] else { continue }
            let purpose: String = row[5]
            let fact = MovementFact(id: row[2], staff: driver, start: start, end: row[4], purpose: MovementPurpose(rawValue: purpose) ?? .other)
            if isNear { cars[index].near.append(fact) }
            if isCandidate, firstQualifying[index][after].map({ $0.precedes(fact) }) ?? true {
                firstQualifying[index][after] = fact
            }
        }
        for index in cars.indices {
            cars[index].near.sort { $0.precedes($1) }
            var best: MovementFact?
            for slot in cars[index].times.indices {
                if let candidate = firstQualifying[index][slot], best.map({ $0.precedes(candidate) }) ?? true { best = candidate }
                cars[index].lastBefore[slot] = best
            }
        }
    }

    /// One pass over every visit: per time, the last visit checked in at or before it.
    private mutating func readVisits(_ db: Database) throws {
        var firstQualifying: [[VisitFact?]] = cars.map { Array(repeating: nil, count: $0.times.count) }
        let rows = try Row.fetchCursor(db, sql: "SELECT vehicleId, checkinAt, id, checkoutAt FROM visit")
        while let row = try rows.next() {
            guard let index = carIndex[row[0]] else { continue }
            let checkin: Int64 = row[1]
            // The records with t >= checkin start at `from`.
            let from = ImportAttribution.lowerBound(cars[index].times, checkin)
            guard from < cars[index].times.count else { continue }
            let fact = VisitFact(id: row[2], checkin: checkin, checkout: row[3])
            if firstQualifying[index][from].map({ $0.precedes(fact) }) ?? true { firstQualifying[index][from] = fact }
        }
        for index in cars.indices {
            var best: VisitFact?
            for slot in cars[index].times.indices {
                if let candidate = firstQualifying[index][slot], best.map({ $0.precedes(candidate) }) ?? true { best = candidate }
                cars[index].visit[slot] = best
            }
        }
    }

    /// The first index whose value is >= `value`.
    static func lowerBound(_ sorted: [Int64], _ value: Int64) -> Int {
        lowerBound(sorted.count, { sorted[$0] }, value)
    }

    /// The first index whose value is > `value`.
    static func upperBound(_ sorted: [Int64], _ value: Int64) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func lowerBound(_ count: Int, _ value: (Int) -> Int64, _ target: Int64) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if value(middle) < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
