import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// A staff member as the command line and the web show him; the ID number masked unless `whole` (R12).
public struct StaffView: Codable, Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var idNumber: String
    public var licenseClass: String
    public var licenseFirstIssued: String
    public var licenseValidUntil: String
    public var licenseValid: Bool
    public var phone: String?
    public var active: Bool
    public var createdAt: String
    /// The scoring cycle that holds today (R6), once points can be counted.
    public var pointsThisCycle: Int?
    public var cycleStart: String?
    public var cycleEnd: String?
    public var pointsRemaining: Int?
    /// Why he may drive no customer car today (R13: an expired licence), in the chosen language; nil: he may.
    public var mayNotDrive: String?

    public init(_ staff: Staff, whole: Bool = false, today: CivilDate, time: ShopTime) {
        id = staff.id ?? 0
        name = staff.name
        idNumber = whole ? staff.idNumber : IDNumber.mask(staff.idNumber)
        licenseClass = staff.licenseClass.rawValue
        licenseFirstIssued = staff.licenseFirstIssued.description
        licenseValidUntil = staff.licenseValidUntil.description
        licenseValid = staff.licenseValid(on: today)
        phone = staff.phone
        active = staff.active
        createdAt = time.formatISO(staff.createdAt)
    }
}

/// A customer car as shown to people and scripts.
public struct VehicleView: Codable, Equatable, Sendable {
    public var id: Int64
    public var plate: String
    public var plateKind: String
    public var owner: String
    public var ownerPhone: String?
    public var engineLast6: String?
    public var usage: String
    public var size: String
    public var inShop: Bool
    public var createdAt: String
    /// The ASCII token on the car's key tag (`BJ-A12345`): what a USB scanner in keyboard mode types.
    public var keyTag: String

    public init(_ vehicle: Vehicle, inShop: Bool, time: ShopTime) {
        id = vehicle.id ?? 0
        plate = vehicle.plate
        plateKind = (try? Plate(vehicle.plate).kind.rawValue) ?? "regular"
        owner = vehicle.ownerName
        ownerPhone = vehicle.ownerPhone
        engineLast6 = vehicle.engineLast6
        usage = vehicle.usage.rawValue
        size = vehicle.size.rawValue
        self.inShop = inShop
        createdAt = time.formatISO(vehicle.createdAt)
        keyTag = (try? Plate(vehicle.plate)).map(KeyTagToken.token(of:)) ?? vehicle.plate
    }
}

/// A visit: check-in to check-out.
public struct VisitView: Codable, Equatable, Sendable {
    public var id: Int64
    public var plate: String
    public var checkinAt: String
    public var checkoutAt: String?
    public var orderNo: String?
    public var open: Bool
    /// What the car was checked in for (`visit checkin --plan`): purposes, empty when none was planned.
    public var plan: [String] = []
    /// The odometer (km) and fuel gauge (percent) at check-in and check-out; null when not taken (R14).
    public var odometerIn: Int?
    public var odometerOut: Int?
    public var fuelIn: Int?
    public var fuelOut: Int?

    public init(_ visit: Visit, plate: String, time: ShopTime, plan: [MovementPurpose] = []) {
        id = visit.id ?? 0
        self.plate = plate
        checkinAt = time.formatISO(visit.checkinAt)
        checkoutAt = visit.checkoutAt.map(time.formatISO)
        orderNo = visit.orderNo
        open = visit.checkoutAt == nil
        self.plan = plan.map(\.rawValue)
        odometerIn = visit.odometerIn
        odometerOut = visit.odometerOut
        fuelIn = visit.fuelIn
        fuelOut = visit.fuelOut
    }
}

/// A movement: who drove which car, from when to when, why.
public struct MovementView: Codable, Equatable, Sendable {
    public var id: Int64
    public var visitId: Int64
    public var plate: String
    public var staff: StaffRef
    public var purpose: String
    public var startAt: String
    public var endAt: String?
    public var inProgress: Bool
    public var minutes: Int?
    /// Voided movements appear only when asked for (`move list --voided`).
    public var voided: Bool = false
    public var voidedAt: String?
    public var voidedBy: String?
    public var voidReason: String?
    /// What R13 warned of, in the chosen language.
    public var warnings: [String] = []

    init(_ row: MovementRow, time: ShopTime) {
        id = row.span.id
        visitId = row.visitId
        plate = row.span.plate
        staff = row.span.staff
        purpose = row.span.purpose.rawValue
        startAt = time.formatISO(row.span.start)
        endAt = row.span.end.map(time.formatISO)
        inProgress = row.span.end == nil
        minutes = row.span.end.map { Int(($0.timeIntervalSince(row.span.start) / 60).rounded()) }
    }
}

/// The answer to `who`: the driver, how it was found, and why (R2).
public struct WhoView: Codable, Equatable, Sendable {
    public var plate: String
    public var at: String
    public var driver: StaffRef?
    public var attribution: String
    public var needsReview: Bool
    /// Every fact that decided it, as sentences in the chosen language.
    public var reasons: [String]
    /// The same, as stable codes for scripts (one per reason, in the same order).
    public var reasonCodes: [String]
    public var movementId: Int64?
    /// Always null here: a channel belongs to a violation (`violation add/show`), not to a time.
    public var channel: String?

    public init(plate: String, at: Date, attribution: Attribution, time: ShopTime, catalogue: Catalogue) {
        self.plate = plate
        self.at = time.formatISO(at)
        driver = attribution.driver
        self.attribution = attribution.kind.rawValue
        needsReview = attribution.needsReview
        reasons = catalogue.render(attribution.reasons, time: time)
        reasonCodes = attribution.reasons.map(\.code)
        movementId = attribution.movementId
    }
}

/// A car in the shop on the status screen.
public struct CarInShopView: Codable, Equatable, Sendable {
    public var plate: String
    public var owner: String
    public var visitId: Int64
    public var since: String
    public var orderNo: String?
    public var driver: StaffRef?
    public var drivingSince: String?
    public var purpose: String?
}

/// `status`: what needs doing now.
public struct StatusView: Codable, Equatable, Sendable {
    public var shop: String
    public var now: String
    public var carsInShop: [CarInShopView]
    public var driving: [CarInShopView]
    public var staleVisits: [CarInShopView]
    public var activeStaff: Int
    public var vehicles: Int
    public var movementsToday: Int
    /// Unfinished violations grouped by what the desk does next: review, invite, window, process, pay, overdue.
    public var violations: [String: [ViolationSummary]]
    /// Registrations to remove in 12123 now (R8).
    public var removalsDue: [RegistrationSummary]
    /// Older unfinished violations beyond the 200 most recent grouped above (see `violation list`).
    public var violationsNotShown: Int
    /// Cars in the shop planned for a road test with no active registration of a driver who may take it (R3, R13).
    public var plannedRoadTests: [PlannedRoadTestView] = []
    /// Visits checked out within `custody.flagDays` with km their movements cannot explain, newest first (R14).
    public var unexplainedKm: [UnexplainedKmView] = []
}

/// A violation on the status screen.
public struct ViolationSummary: Codable, Equatable, Sendable {
    public var id: Int64
    public var plate: String
    public var occurredAt: String
    public var code: String
    public var points: Int
    public var fineYuan: Decimal
    public var driver: StaffRef?
    public var totalDueYuan: Decimal?
    public var dueDate: String?
}

/// A registration on the status screen.
public struct RegistrationSummary: Codable, Equatable, Sendable {
    public var ref: String
    public var plate: String
    public var staff: StaffRef
    public var removalDueAt: String?
}

/// One audit entry, its values as JSON objects.
public struct AuditView: Codable, Equatable, Sendable {
    public var id: Int64
    public var at: String
    public var `operator`: String
    public var action: String
    public var subject: String
    public var before: JSONValue
    public var after: JSONValue

    public init(_ entry: AuditEntry, time: ShopTime) {
        id = entry.id ?? 0
        at = time.formatISO(entry.at)
        self.operator = entry.operator
        action = entry.action
        subject = entry.subject
        before = JSONValue(parsing: entry.before)
        after = JSONValue(parsing: entry.after)
    }
}

/// One setting with its value and default.
public struct SettingView: Codable, Equatable, Sendable {
    public var key: String
    public var value: String
    public var defaultValue: String
    public var isDefault: Bool
    public var help: String
    /// The value as a person reads it, when it differs from what is typed (a list of purposes in the language).
    public var valueText: String?
    /// The setting's name in the language (the settings page's heading for it; the key is for the command line).
    public var label: String
    /// The section of the settings page: shop, attribution, registration, online, fees, cleanup, web.
    public var group: String
    /// What the number counts, in the language (分钟, 元), if it is a number.
    public var unit: String?
    /// The rule of the rulebook it belongs to (`R2`), if any.
    public var rule: String?
}

/// `vehicle show`: the vehicle object with its history added, so scripts read the same keys as in `vehicle list`.
public struct VehicleDetailView: Encodable, Sendable {
    public var vehicle: VehicleView
    public var visits: [VisitView]
    public var movements: [MovementView]
    public var registrations: [RegistrationView]
    /// Non-owner drivers registered or invited, against the limit (R3).
    public var drivers: Int
    public var driversLimit: Int

    enum Keys: String, CodingKey { case visits, movements, registrations, drivers, driversLimit }

    public func encode(to encoder: any Encoder) throws {
        try vehicle.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(visits, forKey: .visits)
        try container.encode(movements, forKey: .movements)
        try container.encode(registrations, forKey: .registrations)
        try container.encode(drivers, forKey: .drivers)
        try container.encode(driversLimit, forKey: .driversLimit)
    }
}

/// `staff show`: the staff object, whole ID number included (R12), with his recent movements added.
public struct StaffDetailView: Encodable, Sendable {
    public var staff: StaffView
    public var movements: [MovementView]
    public var registrations: [RegistrationView]
    public var slots: SlotSummary
    /// The slots as the chosen language says them.
    public var slotsText: String

    enum Keys: String, CodingKey { case movements, registrations, slots, slotsText }

    public func encode(to encoder: any Encoder) throws {
        try staff.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(movements, forKey: .movements)
        try container.encode(registrations, forKey: .registrations)
        try container.encode(slots, forKey: .slots)
        try container.encode(slotsText, forKey: .slotsText)
    }
}
