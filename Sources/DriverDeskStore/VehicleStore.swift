import DriverDeskCore
import Foundation
import GRDB

/// A customer car to add, already checked field by field.
public struct NewVehicle: Sendable {
    public var plate: Plate
    public var ownerName: String
    public var ownerPhone: String?
    public var engineLast6: String?
    public var usage: VehicleUsage
    public var size: VehicleSize

    public init(plate: Plate, ownerName: String, ownerPhone: String?, engineLast6: String?, usage: VehicleUsage, size: VehicleSize) {
        self.plate = plate
        self.ownerName = ownerName
        self.ownerPhone = ownerPhone
        self.engineLast6 = engineLast6
        self.usage = usage
        self.size = size
    }
}

extension AppDatabase {
    /// Adds a customer car; refuses a plate that is already known.
    public func addVehicle(_ new: NewVehicle, context: WriteContext) throws -> Vehicle {
        try write { db in
            let existing = try Vehicle.filter(Column("plate") == new.plate.text).fetchOne(db)
            try RosterRules.checkNewVehicle(existing: existing.map { ($0.plate, $0.id!, $0.ownerName) })
            var vehicle = Vehicle(plate: new.plate.text, ownerName: new.ownerName, ownerPhone: new.ownerPhone,
                                  engineLast6: new.engineLast6, usage: new.usage, size: new.size, createdAt: context.now)
            try vehicle.insert(db)
            try Audit.record(db, context, action: "vehicle.add", subject: "vehicle #\(vehicle.id!) \(vehicle.plate)", before: nil, after: Audit.json(vehicle))
            return vehicle
        }
    }

    /// Every customer car, by plate.
    public func vehicles() throws -> [Vehicle] {
        try read { db in try Vehicle.order(Column("plate")).fetchAll(db) }
    }

    /// The cars whose plate holds these characters, by plate: the candidates of a scan that lost a plate's Chinese
    /// characters (the core's `ScanReading.matches` decides which of them it may stand for).
    public func vehicles(plateContaining text: String) throws -> [Vehicle] {
        try read { db in try Vehicle.filter(sql: "instr(plate, ?) > 0", arguments: [text]).order(Column("plate")).fetchAll(db) }
    }

    /// The customer car with this plate, or nil: for a scan, where an unknown car is an answer, not a refusal.
    public func vehicle(ifKnown plate: Plate) throws -> Vehicle? {
        try read { db in try Vehicle.filter(Column("plate") == plate.text).fetchOne(db) }
    }

    /// A customer car by any spelling of its plate.
    public func vehicle(_ plate: Plate) throws -> Vehicle {
        try read { db in try AppDatabase.resolveVehicle(plate, db) }
    }

    static func resolveVehicle(_ plate: Plate, _ db: Database, field: String = "plate") throws -> Vehicle {
        guard let vehicle = try Vehicle.filter(Column("plate") == plate.text).fetchOne(db) else {
            throw DeskError.notFound(field: field, reason: Message("notFound.vehicle", ["plate": .text(plate.text)]))
        }
        return vehicle
    }
}

/// The fields of a customer car that can be corrected; nil leaves a field as it is.
public struct VehicleChange: Sendable {
    public var ownerName: String?
    public var ownerPhone: String??
    public var engineLast6: String??
    public var usage: VehicleUsage?
    public var size: VehicleSize?

    public init() {}

    public var hasChanges: Bool { ownerName != nil || ownerPhone != nil || engineLast6 != nil || usage != nil || size != nil }
}

extension AppDatabase {
    /// Corrects a customer car's details; audited.
    public func updateVehicle(_ plate: Plate, change: VehicleChange, context: WriteContext) throws -> Vehicle {
        try write { db in
            var vehicle = try AppDatabase.resolveVehicle(plate, db)
            let before = Audit.json(vehicle)
            if let value = change.ownerName { vehicle.ownerName = value }
            if let value = change.ownerPhone { vehicle.ownerPhone = value }
            if let value = change.engineLast6 { vehicle.engineLast6 = value }
            if let value = change.usage { vehicle.usage = value }
            if let value = change.size { vehicle.size = value }
            try vehicle.update(db)
            try Audit.record(db, context, action: "vehicle.update", subject: "vehicle #\(vehicle.id!) \(vehicle.plate)", before: before, after: Audit.json(vehicle))
            return vehicle
        }
    }
}
