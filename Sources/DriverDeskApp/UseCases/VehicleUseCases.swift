import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    /// Adds a customer car; refuses a plate that is already known.
    func addVehicle(_ new: NewVehicle, context: WriteContext) throws -> Vehicle {
        let existing = try vehicle(plate: new.plate.text)
        try RosterRules.checkNewVehicle(existing: existing.map { ($0.plate, $0.id!, $0.ownerName) })
        var vehicle = Vehicle(plate: new.plate.text, ownerName: new.ownerName, ownerPhone: new.ownerPhone,
                              engineLast6: new.engineLast6, usage: new.usage, size: new.size, createdAt: context.now)
        try insert(&vehicle)
        try audit(context, action: "vehicle.add", subject: "vehicle #\(vehicle.id!) \(vehicle.plate)", before: nil, after: Audit.json(vehicle))
        return vehicle
    }
}

extension ShopStore {
    /// Adds a customer car; refuses a plate that is already known.
    func addVehicle(_ new: NewVehicle, context: WriteContext) throws -> Vehicle {
        try writing { tx in try tx.addVehicle(new, context: context) }
    }

    /// Every customer car, by plate.
    func vehicles() throws -> [Vehicle] {
        try reading { tx in try tx.vehicles(plateContaining: nil) }
    }

    /// The cars whose plate holds these characters, by plate: the candidates of a scan that lost a plate's Chinese
    /// characters (the core's `ScanReading.matches` decides which of them it may stand for).
    func vehicles(plateContaining text: String) throws -> [Vehicle] {
        try reading { tx in try tx.vehicles(plateContaining: text) }
    }

    /// The customer car with this plate, or nil: for a scan, where an unknown car is an answer, not a refusal.
    func vehicle(ifKnown plate: Plate) throws -> Vehicle? {
        try reading { tx in try tx.vehicle(plate: plate.text) }
    }

    /// A customer car by any spelling of its plate.
    func vehicle(_ plate: Plate) throws -> Vehicle {
        try reading { tx in try tx.resolveVehicle(plate) }
    }
}

extension ShopTransaction {
    func resolveVehicle(_ plate: Plate, field: String = "plate") throws -> Vehicle {
        guard let vehicle = try vehicle(plate: plate.text) else {
            throw DeskError.notFound(field: field, reason: Message("notFound.vehicle", ["plate": .text(plate.text)]))
        }
        return vehicle
    }
}

extension ShopTransaction {
    /// Corrects a customer car's details; audited.
    func updateVehicle(_ plate: Plate, change: VehicleChange, context: WriteContext) throws -> Vehicle {
        var vehicle = try resolveVehicle(plate)
        let before = Audit.json(vehicle)
        if let value = change.ownerName { vehicle.ownerName = value }
        if let value = change.ownerPhone { vehicle.ownerPhone = value }
        if let value = change.engineLast6 { vehicle.engineLast6 = value }
        if let value = change.usage { vehicle.usage = value }
        if let value = change.size { vehicle.size = value }
        try update(vehicle)
        try audit(context, action: "vehicle.update", subject: "vehicle #\(vehicle.id!) \(vehicle.plate)", before: before, after: Audit.json(vehicle))
        return vehicle
    }
}

extension ShopStore {
    /// Corrects a customer car's details; audited.
    func updateVehicle(_ plate: Plate, change: VehicleChange, context: WriteContext) throws -> Vehicle {
        try writing { tx in try tx.updateVehicle(plate, change: change, context: context) }
    }
}
