import DriverDeskCore
import Foundation

// The records the use cases (App, `UseCases/`) read and write through a `ShopTransaction`, and what they answer.

// MARK: Account

/// An account to add, its name and password already checked and the password hashed.
public struct NewAccount: Sendable {
    public var name: String
    public var role: Role
    /// The staff member this person is (a numeric id or a unique name), if any.
    public var staff: String?
    public var passwordHash: String

    public init(name: String, role: Role, staff: String?, passwordHash: String) {
        self.name = name
        self.role = role
        self.staff = staff
        self.passwordHash = passwordHash
    }
}

/// An account with the name of its staff member, as lists and sessions show it.
public struct AccountFact: Sendable, Equatable {
    public var account: Account
    public var staffName: String?

    public init(account: Account, staffName: String?) {
        self.account = account
        self.staffName = staffName
    }
}

// MARK: Correction

/// A violation whose driver a correction changed (R2 decided again).
public struct DriverChange: Sendable, Equatable {
    public var violationId: Int64
    public var plate: String
    public var from: StaffRef?
    public var to: StaffRef?

    public init(violationId: Int64, plate: String, from: StaffRef?, to: StaffRef?) {
        self.violationId = violationId
        self.plate = plate
        self.from = from
        self.to = to
    }
}

/// What `move void` and `move edit` did: the movement (as it was, for a void), and the violations whose driver changed.
public struct MovementCorrection: Sendable {
    public var row: MovementRow
    public var voided: Bool
    public var changes: [DriverChange]
    public var warnings: [Message]

    public init(row: MovementRow, voided: Bool, changes: [DriverChange], warnings: [Message]) {
        self.row = row
        self.voided = voided
        self.changes = changes
        self.warnings = warnings
    }
}

/// A voided movement with its plate and driver's name, for `move list --voided`.
public struct VoidedMovementRow: Sendable {
    public var row: MovementRow
    public var voided: VoidedMovement

    public init(row: MovementRow, voided: VoidedMovement) {
        self.row = row
        self.voided = voided
    }
}

/// What `move edit` changes; nil leaves a field as it is.
public struct MovementEdit: Sendable {
    public var staff: String?
    public var start: Date?
    /// `.some(nil)` is not offered: an edit cannot make a movement open again.
    public var end: Date?
    public var purpose: MovementPurpose?

    public init(staff: String? = nil, start: Date? = nil, end: Date? = nil, purpose: MovementPurpose? = nil) {
        self.staff = staff
        self.start = start
        self.end = end
        self.purpose = purpose
    }
}

/// The fields of a staff member that can be corrected (never the ID number: a wrong one is a new staff member).
public struct StaffChange: Sendable {
    public var name: String?
    public var phone: String??
    public var licenseClass: LicenseClass?
    public var licenseFirstIssued: CivilDate?
    public var licenseValidUntil: CivilDate?

    public init() {}

    public var hasChanges: Bool { name != nil || phone != nil || licenseClass != nil || licenseFirstIssued != nil || licenseValidUntil != nil }
}

// MARK: Custody

/// A movement with the plate and the driver's name, for lists and rules.
public struct MovementRow: Sendable, Equatable {
    public var span: MovementSpan
    public var visitId: Int64
    /// What R13 warned of when it was recorded (a C2 licence on a car whose gearbox DriverDesk does not know, or a
    /// failure on a purpose that is only warned of).
    public var warnings: [Message] = []

    public init(span: MovementSpan, visitId: Int64, warnings: [Message] = []) {
        self.span = span
        self.visitId = visitId
        self.warnings = warnings
    }
}

/// Which movements to list.
public struct MovementFilter: Sendable {
    public var vehicleId: Int64?
    public var staffId: Int64?
    public var from: Date?
    public var to: Date?
    public var limit: Int?

    public init(vehicleId: Int64? = nil, staffId: Int64? = nil, from: Date? = nil, to: Date? = nil, limit: Int? = nil) {
        self.vehicleId = vehicleId
        self.staffId = staffId
        self.from = from
        self.to = to
        self.limit = limit
    }
}

/// What "who drove" needs of one car (`ShopTransaction.custodyFacts`).
public struct CustodyFacts: Sendable {
    public var vehicle: Vehicle
    public var settings: [String: String]
    /// By start (and id): the last movement before the window, if any, then those in it.
    public var movements: [MovementRow]
    public var lastVisit: Visit?

    /// The movements R2 weighs with `slack`: those starting within it of `at`, by start, and the last one before them
    /// (as `ShopTransaction.attribution(vehicleId:…)` reads them).
    public func near(at: Date, slack: TimeInterval) -> [MovementSpan] {
        let from = at.addingTimeInterval(-slack), to = at.addingTimeInterval(slack)
        var near = movements.filter { $0.span.start >= from && $0.span.start <= to }.map(\.span)
        if let before = movements.last(where: { $0.span.start < from }) { near.append(before.span) }
        return near
    }
}

// MARK: Registration

/// A registration with its car and staff member, for lists, slips and rules.
public struct RegistrationRow: Sendable, Equatable {
    public var registration: Registration
    public var vehicle: Vehicle
    public var staff: Staff

    public var fact: RegistrationFact {
        RegistrationFact(ref: registration.ref, plate: vehicle.plate, staffName: staff.name, status: registration.status,
                         invitedAt: registration.invitedAt, activatedAt: registration.activatedAt)
    }

    public init(registration: Registration, vehicle: Vehicle, staff: Staff) {
        self.registration = registration
        self.vehicle = vehicle
        self.staff = staff
    }
}

/// What `register invite` made, and what the front desk should know about it.
public struct InviteOutcome: Sendable {
    public var row: RegistrationRow
    public var warnings: [Message]

    public init(row: RegistrationRow, warnings: [Message]) {
        self.row = row
        self.warnings = warnings
    }
}

// MARK: Staff

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

// MARK: Status

/// A car in the shop now, and who is driving it if anyone.
public struct CarInShop: Sendable, Equatable {
    public var plate: String
    public var ownerName: String
    public var visitId: Int64
    public var checkinAt: Date
    public var orderNo: String?
    public var driving: MovementSpan?

    public init(plate: String, ownerName: String, visitId: Int64, checkinAt: Date, orderNo: String?, driving: MovementSpan?) {
        self.plate = plate
        self.ownerName = ownerName
        self.visitId = visitId
        self.checkinAt = checkinAt
        self.orderNo = orderNo
        self.driving = driving
    }
}

/// What the front desk needs to see at a glance.
public struct StatusSnapshot: Sendable {
    public var carsInShop: [CarInShop]
    public var activeStaff: Int
    public var vehicles: Int
    public var movementsToday: Int

    public init(carsInShop: [CarInShop], activeStaff: Int, vehicles: Int, movementsToday: Int) {
        self.carsInShop = carsInShop
        self.activeStaff = activeStaff
        self.vehicles = vehicles
        self.movementsToday = movementsToday
    }
}

// MARK: Vehicle

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

// MARK: Violation

/// A violation to record, every field already checked and the code looked up.
public struct NewViolation: Sendable {
    public var plate: Plate
    public var occurredAt: Date
    public var code: String
    public var description: String?
    public var category: String?
    public var location: String?
    public var points: Int
    public var fineFen: Int
    public var recordNo: String?
    /// The code is recorded with the driver absent (parking): R2 step 3.
    public var isParking: Bool
    /// The line of the imported file it came from.
    public var line: Int?

    public init(plate: Plate, occurredAt: Date, code: String, description: String?, category: String?, location: String?,
                points: Int, fineFen: Int, recordNo: String?, isParking: Bool, line: Int? = nil) {
        self.plate = plate
        self.occurredAt = occurredAt
        self.code = code
        self.description = description
        self.category = category
        self.location = location
        self.points = points
        self.fineFen = fineFen
        self.recordNo = recordNo
        self.isParking = isParking
        self.line = line
    }
}

/// A violation with its car and driver.
public struct ViolationRow: Sendable, Equatable {
    public var violation: Violation
    public var vehicle: Vehicle
    public var driver: Staff?

    public init(violation: Violation, vehicle: Vehicle, driver: Staff?) {
        self.violation = violation
        self.vehicle = vehicle
        self.driver = driver
    }
}

/// What an import did.
public struct ImportOutcome: Sendable, Equatable {
    public var added: Int
    public var skipped: Int
    public var needsReview: Int
    public var byAttribution: [String: Int]
    public var firstId: Int64?
    public var lastId: Int64?
}

/// What `violation process` and `violation pay` report besides the violation.
public struct ViolationOutcome: Sendable {
    public var row: ViolationRow
    public var warnings: [Message]
    /// A registration that became due for removal (R8).
    public var removalDue: String?

    public init(row: ViolationRow, warnings: [Message], removalDue: String?) {
        self.row = row
        self.warnings = warnings
        self.removalDue = removalDue
    }
}


// MARK: Imports

/// What R2 weighs for one camera time (the core decides from them): the car's plate, its movements near the time (and the last
/// one before them) and the visit that may cover it.
public struct AttributionFacts: Sendable {
    public var plate: String
    public var movements: [MovementSpan]
    public var visits: [VisitSpan]

    public init(plate: String, movements: [MovementSpan], visits: [VisitSpan]) {
        self.plate = plate
        self.movements = movements
        self.visits = visits
    }
}
