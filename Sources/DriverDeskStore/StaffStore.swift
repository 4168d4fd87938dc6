import DriverDeskCore
import Foundation
import GRDB

/// A staff member to add, already checked field by field.
public struct NewStaff: Sendable {
    public var name: String
    public var idNumber: IDNumber
    public var licenseClass: LicenseClass
    public var licenseFirstIssued: CivilDate
    public var licenseValidUntil: CivilDate
    public var phone: String?

    public init(name: String, idNumber: IDNumber, licenseClass: LicenseClass, licenseFirstIssued: CivilDate, licenseValidUntil: CivilDate, phone: String?) {
        self.name = name
        self.idNumber = idNumber
        self.licenseClass = licenseClass
        self.licenseFirstIssued = licenseFirstIssued
        self.licenseValidUntil = licenseValidUntil
        self.phone = phone
    }
}

extension AppDatabase {
    /// Adds a staff member; refuses a second staff member with the same ID number.
    public func addStaff(_ new: NewStaff, context: WriteContext) throws -> Staff {
        try write { db in
            let existing = try Staff.filter(Column("idNumber") == new.idNumber.text).fetchOne(db)
            try RosterRules.checkNewStaff(existing: existing?.ref, maskedIdNumber: new.idNumber.masked)
            var staff = Staff(name: new.name, idNumber: new.idNumber.text, licenseClass: new.licenseClass,
                              licenseFirstIssued: new.licenseFirstIssued, licenseValidUntil: new.licenseValidUntil,
                              phone: new.phone, createdAt: context.now)
            try staff.insert(db)
            try Audit.record(db, context, action: "staff.add", subject: "staff #\(staff.id!) \(staff.name)", before: nil, after: staff.auditJSON)
            return staff
        }
    }

    /// Every staff member, active ones first, by name.
    public func staffList() throws -> [Staff] {
        try read { db in try Staff.order(Column("active").desc, Column("name"), Column("id")).fetchAll(db) }
    }

    /// A staff member by numeric id or unique name.
    public func staff(_ key: String) throws -> Staff {
        try read { db in try AppDatabase.resolveStaff(key, db) }
    }

    /// Marks a staff member as no longer driving customer cars; history stays.
    public func deactivateStaff(_ key: String, context: WriteContext) throws -> Staff {
        try write { db in
            var staff = try AppDatabase.resolveStaff(key, db)
            var driving: (plate: String, movement: Int64)?
            if let open = try Movement.filter(Column("staffId") == staff.id! && Column("endAt") == nil).fetchOne(db) {
                driving = (try String.fetchOne(db, sql: "SELECT plate FROM vehicle WHERE id = ?", arguments: [open.vehicleId]) ?? "?", open.id!)
            }
            try RosterRules.checkDeactivate(staff.ref, active: staff.active, driving: driving)
            let before = staff.auditJSON
            staff.active = false
            try staff.update(db)
            try Audit.record(db, context, action: "staff.deactivate", subject: "staff #\(staff.id!) \(staff.name)", before: before, after: staff.auditJSON)
            return staff
        }
    }

    static func resolveStaff(_ key: String, _ db: Database, field: String = "staff") throws -> Staff {
        let text = key.trimmingSpaces()
        guard !text.isEmpty else { throw DeskError.invalid(field: field, reason: Message("input.staff.required")) }
        if let id = Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text) {
            guard let staff = try Staff.fetchOne(db, key: id) else {
                throw DeskError.notFound(field: field, reason: Message("notFound.staffNumber", ["number": .number(Int(id))]))
            }
            return staff
        }
        let matches = try Staff.filter(Column("name") == text).order(Column("active").desc, Column("id")).fetchAll(db)
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw DeskError.invalid(field: field, reason: Message("input.staff.ambiguous", ["name": .text(text), "numbers": .names(matches.map { "#\($0.id!)" })]))
        }
        let similar = try Staff.filter(sql: "instr(lower(name), lower(?)) > 0", arguments: [text]).limit(5).fetchAll(db)
        if similar.isEmpty { throw DeskError.notFound(field: field, reason: Message("notFound.staffName", ["name": .text(text)])) }
        throw DeskError.notFound(field: field, reason: Message("notFound.staffNameNear", ["name": .text(text), "near": .names(similar.map { "\($0.name) (#\($0.id!))" })]))
    }
}
