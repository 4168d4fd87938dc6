import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    /// Adds a staff member; refuses a second staff member with the same ID number.
    func addStaff(_ new: NewStaff, context: WriteContext) throws -> Staff {
        let existing = try staff(idNumber: new.idNumber.text)
        try RosterRules.checkNewStaff(existing: existing?.ref, maskedIdNumber: new.idNumber.masked)
        var staff = Staff(name: new.name, idNumber: new.idNumber.text, licenseClass: new.licenseClass,
                          licenseFirstIssued: new.licenseFirstIssued, licenseValidUntil: new.licenseValidUntil,
                          phone: new.phone, createdAt: context.now)
        try RosterRules.checkHiring(try insert(&staff))
        try audit(context, action: "staff.add", subject: "staff #\(staff.id!) \(staff.name)", before: nil, after: staff.auditJSON)
        return staff
    }

    /// Marks a staff member as no longer driving customer cars; history stays.
    func deactivateStaff(_ key: String, context: WriteContext) throws -> Staff {
        var staff = try resolveStaff(key)
        var driving: (plate: String, movement: Int64)?
        if let open = try movementInProgress(staffId: staff.id!) {
            driving = (try vehicles(ids: [open.vehicleId])[open.vehicleId]?.plate ?? "?", open.id!)
        }
        try RosterRules.checkDeactivate(staff.ref, active: staff.active, driving: driving)
        let before = staff.auditJSON
        staff.active = false
        try update(staff)
        try audit(context, action: "staff.deactivate", subject: "staff #\(staff.id!) \(staff.name)", before: before, after: staff.auditJSON)
        return staff
    }
}

extension ShopStore {
    /// Adds a staff member; refuses a second staff member with the same ID number.
    func addStaff(_ new: NewStaff, context: WriteContext) throws -> Staff {
        try writing { tx in try tx.addStaff(new, context: context) }
    }

    /// Marks a staff member as no longer driving customer cars; history stays.
    func deactivateStaff(_ key: String, context: WriteContext) throws -> Staff {
        try writing { tx in try tx.deactivateStaff(key, context: context) }
    }

    /// Every staff member, active ones first, by name.
    func staffList() throws -> [Staff] {
        try reading { tx in try tx.allStaff() }
    }

    /// A staff member by numeric id or unique name.
    func staff(_ key: String) throws -> Staff {
        try reading { tx in try tx.resolveStaff(key) }
    }
}

extension ShopTransaction {
    func resolveStaff(_ key: String, field: String = "staff") throws -> Staff {
        let text = key.trimmingSpaces()
        guard !text.isEmpty else { throw DeskError.invalid(field: field, reason: Message("input.staff.required")) }
        if let id = Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text) {
            guard let staff = try staff(id: id) else {
                throw DeskError.notFound(field: field, reason: Message("notFound.staffNumber", ["number": .number(Int(id))]))
            }
            return staff
        }
        let matches = try staff(named: text)
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw DeskError.invalid(field: field, reason: Message("input.staff.ambiguous", ["name": .text(text), "numbers": .names(matches.map { "#\($0.id!)" })]))
        }
        let similar = try staff(nameContaining: text, limit: 5)
        if similar.isEmpty { throw DeskError.notFound(field: field, reason: Message("notFound.staffName", ["name": .text(text)])) }
        throw DeskError.notFound(field: field, reason: Message("notFound.staffNameNear", ["name": .text(text), "near": .names(similar.map { "\($0.name) (#\($0.id!))" })]))
    }
}
