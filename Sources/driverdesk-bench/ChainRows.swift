import Foundation
import GRDB

// The rows the generator draws, with ids from 1 within one shop; where they go is the sink's business: the SQLite
// chain's prepared statements, or one shop's share of a PostgreSQL chain's COPY files.

struct StaffRow {
    var id: Int
    var name: String
    var idNumber: String
    var licenseClass: String
    var issued: String
    var validUntil: String
    var phone: String
    var createdAt: Int64
}

struct VehicleRow {
    var id: Int
    var plate: String
    var ownerName: String
    var ownerPhone: String
    var engineLast6: String?
    var usage: String
    var size: String
    var createdAt: Int64
}

struct VisitRow {
    var id: Int64
    var vehicle: Int64
    var checkinAt: Int64
    var checkoutAt: Int64?
    var orderNo: String
}

struct MovementRow {
    var id: Int64
    var visit: Int64
    var vehicle: Int64
    var staff: Int64
    var startAt: Int64
    var endAt: Int64?
    var purpose: String
}

struct RegistrationRow {
    var id: Int64
    var ref: String
    var vehicle: Int64
    var staff: Int64
    var method: String
    var status: String
    var invitedAt: Int64
    var activatedAt: Int64?
    var removalDueAt: Int64?
    var removedAt: Int64?
    var expiredAt: Int64?
    var cancelledAt: Int64?
}

/// Where the generator's rows go.
protocol ChainRows: AnyObject {
    func setting(key: String, value: String) throws
    func staff(_ row: StaffRow) throws
    func vehicle(_ row: VehicleRow) throws
    func visit(_ row: VisitRow) throws
    func movement(_ row: MovementRow) throws
    func registration(_ row: RegistrationRow) throws
    /// A point where a long write may commit what it has (every 90 days of movements).
    func checkpoint() throws
}

/// The SQLite chain: prepared statements in the caller's transaction, committed at each checkpoint.
final class SQLiteRows: ChainRows {
    let db: Database
    let settingInsert, staffInsert, vehicleInsert, visitInsert, movementInsert, registrationInsert: Statement

    init(_ db: Database) throws {
        self.db = db
        settingInsert = try db.makeStatement(sql: "INSERT INTO setting (key, value) VALUES (?, ?)")
        staffInsert = try db.makeStatement(sql: """
            INSERT INTO staff (id, name, idNumber, licenseClass, licenseFirstIssued, licenseValidUntil, phone, active, createdAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
            """)
        vehicleInsert = try db.makeStatement(sql: """
            INSERT INTO vehicle (id, plate, ownerName, ownerPhone, engineLast6, usage, size, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        visitInsert = try db.makeStatement(sql: "INSERT INTO visit (id, vehicleId, checkinAt, checkoutAt, orderNo) VALUES (?, ?, ?, ?, ?)")
        movementInsert = try db.makeStatement(sql: """
            INSERT INTO movement (id, visitId, vehicleId, staffId, startAt, endAt, purpose) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        registrationInsert = try db.makeStatement(sql: """
            INSERT INTO registration (id, ref, vehicleId, staffId, method, status, invitedAt, activatedAt, removalDueAt, removedAt, expiredAt, cancelledAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    func setting(key: String, value: String) throws { try settingInsert.execute(arguments: [key, value]) }

    func staff(_ row: StaffRow) throws {
        try staffInsert.execute(arguments: [row.id, row.name, row.idNumber, row.licenseClass, row.issued, row.validUntil, row.phone, row.createdAt])
    }

    func vehicle(_ row: VehicleRow) throws {
        try vehicleInsert.execute(arguments: [row.id, row.plate, row.ownerName, row.ownerPhone, row.engineLast6, row.usage, row.size, row.createdAt])
    }

    func visit(_ row: VisitRow) throws {
        try visitInsert.execute(arguments: [row.id, row.vehicle, row.checkinAt, row.checkoutAt, row.orderNo])
    }

    func movement(_ row: MovementRow) throws {
        try movementInsert.execute(arguments: [row.id, row.visit, row.vehicle, row.staff, row.startAt, row.endAt, row.purpose])
    }

    func registration(_ row: RegistrationRow) throws {
        try registrationInsert.execute(arguments: [row.id, row.ref, row.vehicle, row.staff, row.method, row.status, row.invitedAt, row.activatedAt,
                                                   row.removalDueAt, row.removedAt, row.expiredAt, row.cancelledAt])
    }

    func checkpoint() throws { try db.execute(sql: "COMMIT; BEGIN") }
}

/// One shop's rows of a PostgreSQL chain in COPY's text format, appended to one file per table: ids offset past the
/// shops before it, and one person per staff row (the chain's record of him).
final class CopyRows: ChainRows {
    /// The tables in the order they load (each refers only to those before it), with the columns of their lines.
    static let tables: [(name: String, columns: [String])] = [
        ("setting", ["shop_id", "key", "value"]),
        ("person", ["id", "id_number", "name", "license_class", "license_first_issued", "license_valid_until", "created_at"]),
        ("staff", ["shop_id", "id", "person_id", "phone", "active", "created_at"]),
        ("vehicle", ["shop_id", "id", "plate", "owner_name", "owner_phone", "engine_last6", "usage", "size", "created_at"]),
        ("visit", ["shop_id", "id", "vehicle_id", "checkin_at", "checkout_at", "order_no"]),
        ("movement", ["shop_id", "id", "visit_id", "vehicle_id", "staff_id", "person_id", "start_at", "end_at", "purpose"]),
        ("registration", ["shop_id", "id", "ref", "vehicle_id", "staff_id", "person_id", "method", "status", "invited_at", "activated_at",
                          "removal_due_at", "removed_at", "expired_at", "cancelled_at"]),
        // Numbered by the table (no id): the flagship's own violations come from its import.
        ("violation", ["shop_id", "vehicle_id", "occurred_at", "code", "location", "points", "fine_fen", "record_no", "status", "driver_id",
                       "driver_person_id", "attribution", "needs_review", "reasons", "assigned_by", "assign_reason", "assigned_at", "processed_at",
                       "processed_channel", "paid_at", "paid_fen", "late_fee_fen", "pay_method", "payer", "recorded_at"]),
    ]

    /// The last id used in each table, across the shops written so far.
    struct Offsets {
        var staff: Int64 = 0
        var vehicle: Int64 = 0
        var visit: Int64 = 0
        var movement: Int64 = 0
        var registration: Int64 = 0
    }

    let files: [String: FileHandle]
    var buffers: [String: Data] = [:]
    var shopId: Int64 = 0
    var shopName = ""
    var base = Offsets()
    /// The highest id of this shop's rows, per table.
    var last = Offsets()

    init(folder: URL) throws {
        var files: [String: FileHandle] = [:]
        for table in CopyRows.tables {
            let path = CopyRows.path(table.name, in: folder)
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            files[table.name] = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }
        self.files = files
    }

    static func path(_ table: String, in folder: URL) -> String { folder.appendingPathComponent("\(table).copy").path }

    /// The next shop's rows go after those of the shops before it.
    func startShop(id: Int64, name: String) {
        shopId = id
        shopName = name
        base = last
    }

    private func put(_ table: String, _ cells: [String?]) throws {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text += "\t" }
            guard let cell else { text += "\\N"; continue }
            // The generator's values hold no tab, newline or backslash; COPY would need them escaped.
            guard !cell.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\\" }) else {
                throw BenchFailure(description: "a generated \(table) value needs escaping: \(cell)")
            }
            text += cell
        }
        text += "\n"
        buffers[table, default: Data()].append(contentsOf: text.utf8)
        if buffers[table]!.count > 1 << 22 { try flush(table) }
    }

    private func flush(_ table: String) throws {
        guard let data = buffers[table], !data.isEmpty else { return }
        try files[table]!.write(contentsOf: data)
        buffers[table] = Data()
    }

    /// Writes what is buffered and closes the files.
    func finish() throws {
        for table in CopyRows.tables {
            try flush(table.name)
            try files[table.name]!.close()
        }
    }

    private func number(_ value: Int64?) -> String? { value.map(String.init) }

    func setting(key: String, value: String) throws {
        // The shop's name and time zone are made with the shop (`shop add`).
        guard key != "shop.name" && key != "shop.timeZone" else { return }
        try put("setting", [String(shopId), key, value])
    }

    func staff(_ row: StaffRow) throws {
        let id = base.staff + Int64(row.id)
        last.staff = max(last.staff, id)
        try put("person", [String(id), row.idNumber, row.name, row.licenseClass, row.issued, row.validUntil, String(row.createdAt)])
        try put("staff", [String(shopId), String(id), String(id), row.phone, "t", String(row.createdAt)])
    }

    func vehicle(_ row: VehicleRow) throws {
        let id = base.vehicle + Int64(row.id)
        last.vehicle = max(last.vehicle, id)
        try put("vehicle", [String(shopId), String(id), row.plate, row.ownerName, row.ownerPhone, row.engineLast6, row.usage, row.size,
                             String(row.createdAt)])
    }

    func visit(_ row: VisitRow) throws {
        let id = base.visit + row.id
        last.visit = max(last.visit, id)
        try put("visit", [String(shopId), String(id), String(base.vehicle + row.vehicle), String(row.checkinAt), number(row.checkoutAt), row.orderNo])
    }

    func movement(_ row: MovementRow) throws {
        let id = base.movement + row.id
        last.movement = max(last.movement, id)
        let staff = String(base.staff + row.staff)
        try put("movement", [String(shopId), String(id), String(base.visit + row.visit), String(base.vehicle + row.vehicle), staff, staff,
                              String(row.startAt), number(row.endAt), row.purpose])
    }

    func registration(_ row: RegistrationRow) throws {
        let id = base.registration + row.id
        last.registration = max(last.registration, id)
        let staff = String(base.staff + row.staff)
        try put("registration", [String(shopId), String(id), row.ref, String(base.vehicle + row.vehicle), staff, staff, row.method, row.status,
                                  String(row.invitedAt), number(row.activatedAt), number(row.removalDueAt), number(row.removedAt),
                                  number(row.expiredAt), number(row.cancelledAt)])
    }

    func checkpoint() throws {}

    /// A violation of this shop: `vehicle` and `staff` are the shop's own numbers (from 1); no driver when it waits for
    /// review.
    func violation(_ row: ViolationRow) throws {
        let staff = row.staff.map { String(base.staff + $0) }
        try put("violation", [String(shopId), String(base.vehicle + row.vehicle), String(row.occurredAt), row.code, row.location, String(row.points),
                               String(row.fineFen), row.recordNo, row.status, staff, staff, staff == nil ? "unattributed" : "manual",
                               staff == nil ? "t" : "f", "", staff == nil ? nil : "bench", staff == nil ? nil : "bench", staff == nil ? nil : String(row.occurredAt),
                               number(row.processedAt), row.processedAt == nil ? nil : "window", number(row.paidAt),
                               row.paidAt == nil ? nil : String(row.fineFen), row.paidAt == nil ? nil : "0", row.paidAt == nil ? nil : "wechat",
                               row.paidAt == nil ? nil : "driver", String(row.occurredAt + 86_400)])
    }
}

struct ViolationRow {
    var vehicle: Int64
    var staff: Int64?
    var occurredAt: Int64
    var code: String
    var location: String
    var points: Int
    var fineFen: Int
    var recordNo: String
    var status: String
    var processedAt: Int64?
    var paidAt: Int64?
}
