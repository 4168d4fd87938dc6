import Foundation

/// An employee who may drive customer cars.
public struct Staff: Codable, Equatable, Sendable {
    public var id: Int64?
    public var name: String
    /// The whole ID number: show `IDNumber.mask(idNumber)` everywhere but `staff show` (R12).
    public var idNumber: String
    public var licenseClass: LicenseClass
    public var licenseFirstIssued: CivilDate
    public var licenseValidUntil: CivilDate
    public var phone: String?
    public var active: Bool
    public var createdAt: Date

    public init(id: Int64? = nil, name: String, idNumber: String, licenseClass: LicenseClass, licenseFirstIssued: CivilDate,
                licenseValidUntil: CivilDate, phone: String?, active: Bool = true, createdAt: Date) {
        self.id = id
        self.name = name
        self.idNumber = idNumber
        self.licenseClass = licenseClass
        self.licenseFirstIssued = licenseFirstIssued
        self.licenseValidUntil = licenseValidUntil
        self.phone = phone
        self.active = active
        self.createdAt = createdAt
    }

    public var ref: StaffRef { StaffRef(id: id ?? 0, name: name) }

    /// The licence is valid on `day` (R3, R4).
    public func licenseValid(on day: CivilDate) -> Bool { day <= licenseValidUntil }
}

/// How a vehicle is used, as its vehicle licence (行驶证) says: only non-commercial cars register online (R3).
public enum VehicleUsage: String, Codable, CaseIterable, Sendable {
    case `private`, commercial
}

/// Small cars register online; large vehicles need the window (R3).
public enum VehicleSize: String, Codable, CaseIterable, Sendable {
    case small, large

    public init(parsing raw: String, field: String = "size") throws {
        guard let value = VehicleSize(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(VehicleSize.allCases.map(\.rawValue))]))
        }
        self = value
    }
}

extension VehicleUsage {
    public init(parsing raw: String, field: String = "usage") throws {
        guard let value = VehicleUsage(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(VehicleUsage.allCases.map(\.rawValue))]))
        }
        self = value
    }
}

/// A customer car, identified by its plate.
public struct Vehicle: Codable, Equatable, Sendable {
    public var id: Int64?
    public var plate: String
    public var ownerName: String
    public var ownerPhone: String?
    /// The engine number's last 6 characters: the SMS registration method needs them (R3).
    public var engineLast6: String?
    public var usage: VehicleUsage
    public var size: VehicleSize
    public var createdAt: Date

    public init(id: Int64? = nil, plate: String, ownerName: String, ownerPhone: String?, engineLast6: String?,
                usage: VehicleUsage, size: VehicleSize, createdAt: Date) {
        self.id = id
        self.plate = plate
        self.ownerName = ownerName
        self.ownerPhone = ownerPhone
        self.engineLast6 = engineLast6
        self.usage = usage
        self.size = size
        self.createdAt = createdAt
    }
}

/// A period during which a vehicle is in the shop's custody.
public struct Visit: Codable, Equatable, Sendable {
    public var id: Int64?
    public var vehicleId: Int64
    public var checkinAt: Date
    public var checkoutAt: Date?
    public var orderNo: String?
    /// The odometer (km) and the fuel gauge (percent) read at check-in and check-out, when the desk took them (R14).
    public var odometerIn: Int?
    public var odometerOut: Int?
    public var fuelIn: Int?
    public var fuelOut: Int?

    public init(id: Int64? = nil, vehicleId: Int64, checkinAt: Date, checkoutAt: Date? = nil, orderNo: String? = nil,
                readings: VisitReadings = VisitReadings()) {
        self.id = id
        self.vehicleId = vehicleId
        self.checkinAt = checkinAt
        self.checkoutAt = checkoutAt
        self.orderNo = orderNo
        self.readings = readings
    }

    public var span: VisitSpan { VisitSpan(id: id ?? 0, checkin: checkinAt, checkout: checkoutAt) }

    /// The four readings together.
    public var readings: VisitReadings {
        get { VisitReadings(odometerIn: odometerIn, odometerOut: odometerOut, fuelIn: fuelIn, fuelOut: fuelOut) }
        set {
            odometerIn = newValue.odometerIn
            odometerOut = newValue.odometerOut
            fuelIn = newValue.fuelIn
            fuelOut = newValue.fuelOut
        }
    }
}

/// One staff member driving one vehicle from a start to an end, inside a visit (R1).
public struct Movement: Codable, Equatable, Sendable {
    public var id: Int64?
    public var visitId: Int64
    public var vehicleId: Int64
    public var staffId: Int64
    public var startAt: Date
    public var endAt: Date?
    public var purpose: MovementPurpose

    public init(id: Int64? = nil, visitId: Int64, vehicleId: Int64, staffId: Int64, startAt: Date, endAt: Date?, purpose: MovementPurpose) {
        self.id = id
        self.visitId = visitId
        self.vehicleId = vehicleId
        self.staffId = staffId
        self.startAt = startAt
        self.endAt = endAt
        self.purpose = purpose
    }
}

/// One line of the append-only audit (R11): who changed what, when, from what to what.
public struct AuditEntry: Codable, Equatable, Sendable {
    public var id: Int64?
    public var at: Date
    public var `operator`: String
    public var action: String
    public var subject: String
    /// JSON of the values before the change (ID numbers masked), nil for a creation.
    public var before: String?
    /// JSON of the values after the change (ID numbers masked).
    public var after: String?

    public init(id: Int64? = nil, at: Date, operator: String, action: String, subject: String, before: String?, after: String?) {
        self.id = id
        self.at = at
        self.operator = `operator`
        self.action = action
        self.subject = subject
        self.before = before
        self.after = after
    }
}

extension Date {
    /// Whole seconds since 1970: how the database keeps instants.
    public var seconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    /// The same instant without its fraction of a second.
    public var wholeSeconds: Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}

/// A movement recorded by mistake and voided (`move void`): out of the lists and the rules (R1, R2), kept here with
/// who voided it, when and why, as the audit keeps the entry.
public struct VoidedMovement: Codable, Equatable, Sendable {
    public var id: Int64
    public var visitId: Int64
    public var vehicleId: Int64
    public var staffId: Int64
    public var startAt: Date
    public var endAt: Date?
    public var purpose: MovementPurpose
    public var voidedAt: Date
    public var voidedBy: String
    public var voidReason: String

    public init(_ movement: Movement, at: Date, by: String, reason: String) {
        self.id = movement.id ?? 0
        self.visitId = movement.visitId
        self.vehicleId = movement.vehicleId
        self.staffId = movement.staffId
        self.startAt = movement.startAt
        self.endAt = movement.endAt
        self.purpose = movement.purpose
        self.voidedAt = at
        self.voidedBy = by
        self.voidReason = reason
    }
}
