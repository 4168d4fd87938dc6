import DriverDeskCore
import Foundation
import GRDB

/// A car in the shop now, and who is driving it if anyone.
public struct CarInShop: Sendable, Equatable {
    public var plate: String
    public var ownerName: String
    public var visitId: Int64
    public var checkinAt: Date
    public var orderNo: String?
    public var driving: MovementSpan?
}

/// What the front desk needs to see at a glance.
public struct StatusSnapshot: Sendable {
    public var carsInShop: [CarInShop]
    public var activeStaff: Int
    public var vehicles: Int
    public var movementsToday: Int
}

extension AppDatabase {
    /// The cars in the shop, the movements in progress and the day's counts.
    public func status(now: Date) throws -> StatusSnapshot {
        try read { db in
            let config = try AppDatabase.config(db)
            let open = try AppDatabase.spans(db, where: "m.endAt IS NULL", [])
            let drivingByPlate = Dictionary(open.map { ($0.plate, $0) }, uniquingKeysWith: { a, _ in a })
            let rows = try Row.fetchAll(db, sql: """
                SELECT v.plate, v.ownerName, vi.id, vi.checkinAt, vi.orderNo
                FROM visit vi JOIN vehicle v ON v.id = vi.vehicleId
                WHERE vi.checkoutAt IS NULL ORDER BY vi.checkinAt
                """)
            let cars = rows.map { row in
                CarInShop(plate: row["plate"], ownerName: row["ownerName"], visitId: row["id"],
                          checkinAt: Date(timeIntervalSince1970: TimeInterval(row["checkinAt"] as Int64)),
                          orderNo: row["orderNo"], driving: drivingByPlate[row["plate"] as String])
            }
            let startOfDay = config.time.start(of: config.time.civilDate(of: now))
            return StatusSnapshot(
                carsInShop: cars,
                activeStaff: try Int.fetchOne(db, sql: "SELECT count(*) FROM staff WHERE active") ?? 0,
                vehicles: try Int.fetchOne(db, sql: "SELECT count(*) FROM vehicle") ?? 0,
                movementsToday: try Int.fetchOne(db, sql: "SELECT count(*) FROM movement WHERE startAt >= ?", arguments: [startOfDay.seconds]) ?? 0)
        }
    }

    /// The plates of the cars in the shop now.
    public func platesInShop() throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(db, sql: "SELECT v.plate FROM visit vi JOIN vehicle v ON v.id = vi.vehicleId WHERE vi.checkoutAt IS NULL"))
        }
    }

    /// Visits of a vehicle, newest first.
    public func visits(vehicleId: Int64, limit: Int = 50) throws -> [Visit] {
        try read { db in
            try Visit.filter(Column("vehicleId") == vehicleId).order(Column("checkinAt").desc).limit(limit).fetchAll(db)
        }
    }

    /// Audit entries since an instant, oldest first.
    public func auditEntries(since: Date?, limit: Int? = nil) throws -> [AuditEntry] {
        try read { db in
            var request = AuditEntry.order(Column("id"))
            if let since { request = request.filter(Column("at") >= since.seconds) }
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// Whether the database holds any staff, vehicle or audit entry.
    public func isEmpty() throws -> Bool {
        try read { db in
            try !(Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM staff) OR EXISTS(SELECT 1 FROM vehicle) OR EXISTS(SELECT 1 FROM audit)") ?? false)
        }
    }
}
