import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    /// The cars in the shop, the movements in progress and the day's counts.
    func status(now: Date, config: Config) throws -> StatusSnapshot {
        let open = try movements(MovementQuery(inProgress: true))
        let drivingByPlate = Dictionary(open.map { ($0.span.plate, $0.span) }, uniquingKeysWith: { a, _ in a })
        let cars = try openVisits().map { fact in
            CarInShop(plate: fact.plate, ownerName: fact.ownerName, visitId: fact.visit.id!, checkinAt: fact.visit.checkinAt,
                      orderNo: fact.visit.orderNo, driving: drivingByPlate[fact.plate])
        }
        let startOfDay = config.time.start(of: config.time.civilDate(of: now))
        return StatusSnapshot(carsInShop: cars, activeStaff: try activeStaffCount(), vehicles: try vehicleCount(),
                              movementsToday: try movementCount(startFrom: startOfDay))
    }
}

extension ShopStore {
    /// The cars in the shop, the movements in progress and the day's counts.
    func status(now: Date) throws -> StatusSnapshot {
        try reading { tx in try tx.status(now: now, config: tx.config()) }
    }

    /// The plates of the cars in the shop now.
    func platesInShop() throws -> Set<String> {
        try reading { tx in Set(try tx.openVisits().map(\.plate)) }
    }

    /// Visits of a vehicle, newest first.
    func visits(vehicleId: Int64, limit: Int = 50) throws -> [Visit] {
        try reading { tx in try tx.visits(vehicleId: vehicleId, limit: limit) }
    }

    /// Audit entries since an instant, oldest first.
    func auditEntries(since: Date?, limit: Int? = nil) throws -> [AuditEntry] {
        try auditEntries(AuditQuery(since: since, limit: limit))
    }

    /// The audit entries a query asks for, oldest first.
    func auditEntries(_ query: AuditQuery) throws -> [AuditEntry] {
        try reading { tx in try tx.auditEntries(query) }
    }

    /// Whether the database holds any staff, vehicle or audit entry.
    func isEmpty() throws -> Bool {
        try reading { tx in try tx.isEmpty() }
    }
}
