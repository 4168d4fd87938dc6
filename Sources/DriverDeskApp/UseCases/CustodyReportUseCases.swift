import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// The facts of one visit's custody report: the car, the visit and its movements, oldest first.
struct VisitReportFacts {
    var vehicle: Vehicle
    var visit: Visit
    var movements: [MovementSpan]
}

extension ShopTransaction {
    /// The visit a report or a correction is about: `visitId` (which must be this car's), else the car's open visit,
    /// else its last one. With no plate, the visit by its number.
    func reportedVisit(plate: Plate?, visitId: Int64?) throws -> (Vehicle, Visit) {
        if let plate {
            let vehicle = try resolveVehicle(plate)
            if let visitId {
                guard let visit = try visit(id: visitId), visit.vehicleId == vehicle.id else {
                    throw DeskError.notFound(field: "visit", reason: Message("notFound.visitOfCar", ["visit": .number(Int(visitId)), "plate": .text(vehicle.plate)]))
                }
                return (vehicle, visit)
            }
            guard let visit = try openVisit(vehicleId: vehicle.id!) ?? visits(vehicleId: vehicle.id!, limit: 1).first else {
                throw DeskError.notFound(field: "plate", reason: Message("notFound.noVisit", ["plate": .text(vehicle.plate)]))
            }
            return (vehicle, visit)
        }
        guard let visitId, let visit = try visit(id: visitId), let vehicle = try vehicles(ids: [visit.vehicleId])[visit.vehicleId] else {
            throw DeskError.notFound(field: "visit", reason: Message("notFound.visit", ["visit": .number(Int(visitId ?? 0))]))
        }
        return (vehicle, visit)
    }

    /// The car, the visit and every movement of it, oldest first.
    func visitReportFacts(plate: Plate?, visitId: Int64?) throws -> VisitReportFacts {
        let (vehicle, visit) = try reportedVisit(plate: plate, visitId: visitId)
        let movements = try movements(MovementQuery(visitId: visit.id!)).map(\.span).sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        return VisitReportFacts(vehicle: vehicle, visit: visit, movements: movements)
    }

    /// `visit edit`: readings of a visit corrected, with the reason; audited with before and after (R14, "Corrections").
    func editVisitReadings(plate: Plate, visitId: Int64?, change: ReadingsChange, reason: String, context: WriteContext) throws -> (Vehicle, Visit) {
        let (vehicle, found) = try reportedVisit(plate: plate, visitId: visitId)
        var visit = found
        visit.readings = try CustodyReportRules.corrected(found.readings, change: change, visitOpen: found.checkoutAt == nil)
        try update(visit)
        try audit(context, action: "visit.edit", subject: "visit #\(visit.id!) \(vehicle.plate)", before: Audit.json(found), after: Audit.json(visit, reason: reason))
        return (vehicle, visit)
    }

    /// The visits checked out within `custody.flagDays` whose km their movements cannot explain (R14), newest first.
    func unexplainedKm(now: Date, config: Config, limit: Int = 20) throws -> [(DrivenVisitFact, KmCheck)] {
        let since = now.addingTimeInterval(-TimeInterval(config.int(.custodyFlagDays)) * 86_400)
        let slack = config.int(.custodyKmSlack), rate = config.decimal(.custodyKmPerMovementMinute)
        var flagged: [(DrivenVisitFact, KmCheck)] = []
        for fact in try drivenVisits(checkedOutSince: since, beyondKm: slack, limit: 200) where flagged.count < limit {
            let movements = try self.movements(MovementQuery(visitId: fact.visit.id!)).map(\.span)
            let check = CustodyReportRules.check(readings: fact.visit.readings, movements: movements, until: fact.visit.checkoutAt ?? now,
                                                 kmPerMinute: rate, kmSlack: slack)
            if check.isFlagged { flagged.append((fact, check)) }
        }
        return flagged
    }
}

/// One movement as the owner's report shows it: who (by the name the shop knows him by), why, when, how long.
public struct ReportMovementView: Codable, Equatable, Sendable {
    public var id: Int64
    public var staff: StaffRef
    public var purpose: String
    public var start: String
    public var end: String?
    public var minutes: Int
    public var inProgress: Bool
}

/// `visit report`: every movement of a stay, the km driven and the km its movements cannot explain (R14).
public struct VisitReportView: Codable, Equatable, Sendable {
    public var visitId: Int64
    public var plate: String
    public var owner: String
    public var orderNo: String?
    public var checkin: String
    public var checkout: String?
    public var inShop: Bool
    public var odometerIn: Int?
    public var odometerOut: Int?
    public var fuelIn: Int?
    public var fuelOut: Int?
    public var movements: [ReportMovementView]
    public var minutesDriven: Int
    public var kmDriven: Int?
    /// `custody.kmPerMovementMinute` × minutes driven + `custody.kmSlack`.
    public var kmExplained: Double
    public var unexplainedKm: Int?
    /// Whether some km are unexplained: the manager looks at it.
    public var flagged: Bool
    public var kmPerMovementMinute: Double
    public var kmSlack: Int
    public var reasons: [String]
    public var reasonCodes: [String]
    public var shop: String
    public var shopPhone: String?
    /// The report as a short text for WeChat or SMS: Chinese first, English below.
    public var text: String
}

/// A visit with km its movements cannot explain, on the manager's dashboard and in `status --json` (R14).
public struct UnexplainedKmView: Codable, Equatable, Sendable {
    public var visitId: Int64
    public var plate: String
    public var checkout: String?
    public var kmDriven: Int
    public var minutesDriven: Int
    public var unexplainedKm: Int
}

extension Desk {
    static func visitNumber(_ raw: String?) throws -> Int64? {
        guard let raw else { return nil }
        let text = raw.trimmingSpaces()
        guard let id = Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text), id > 0 else {
            throw DeskError.invalid(field: "visit", reason: Message("input.visitNumber", ["raw": .text(String(raw.prefix(40)))]))
        }
        return id
    }

    /// `visit report --plate P [--visit ID]`: the owner's custody report of the car's open visit, else its last one.
    /// On the web a visit is named by its number alone (`plate` nil).
    public func visitReport(plate: String?, visit: String?) throws -> VisitReportView {
        try actor.check(.frontDesk)
        let plate = try plate.map { try Plate($0) }
        let visitId = try Desk.visitNumber(visit)
        if plate == nil && visitId == nil { throw DeskError.invalid(field: "plate", reason: Message("input.plate.required")) }
        return try database.reading { tx in
            let config = try tx.config()
            let facts = try tx.visitReportFacts(plate: plate, visitId: visitId)
            return try reportView(facts, config: config)
        }
    }

    func reportView(_ facts: VisitReportFacts, config: Config) throws -> VisitReportView {
        let time = config.time, visit = facts.visit
        let rate = config.decimal(.custodyKmPerMovementMinute), slack = config.int(.custodyKmSlack)
        let check = CustodyReportRules.check(readings: visit.readings, movements: facts.movements, until: visit.checkoutAt ?? now, kmPerMinute: rate, kmSlack: slack)
        let words = try catalogue(config)
        var view = VisitReportView(
            visitId: visit.id!, plate: facts.vehicle.plate, owner: facts.vehicle.ownerName, orderNo: visit.orderNo,
            checkin: time.formatISO(visit.checkinAt), checkout: visit.checkoutAt.map(time.formatISO), inShop: visit.checkoutAt == nil,
            odometerIn: visit.odometerIn, odometerOut: visit.odometerOut, fuelIn: visit.fuelIn, fuelOut: visit.fuelOut,
            movements: facts.movements.map { m in
                ReportMovementView(id: m.id, staff: m.staff, purpose: m.purpose.rawValue, start: time.formatISO(m.start), end: m.end.map(time.formatISO),
                                   minutes: CustodyReportRules.minutes(of: m, until: visit.checkoutAt ?? now), inProgress: m.end == nil)
            },
            minutesDriven: check.minutesDriven, kmDriven: check.kmDriven, kmExplained: (check.kmExplained * 100).rounded() / 100, unexplainedKm: check.unexplainedKm,
            flagged: check.isFlagged, kmPerMovementMinute: rate, kmSlack: slack,
            reasons: words.render(check.reasons, time: time), reasonCodes: check.reasons.map(\.code),
            shop: config.shopName, shopPhone: config.string(.shopPhone).isEmpty ? nil : config.string(.shopPhone), text: "")
        view.text = try CustodyReportDocument(report: view).text(templates: try Templates.shipped())
        return view
    }

    /// `visit edit --plate P [--visit ID] [--odometer-in KM] [--odometer-out KM] [--fuel-in N] [--fuel-out N] --reason TEXT`:
    /// a wrong reading corrected (a manager: the readings are what the km check rests on).
    public func editVisit(plate: String, visit: String?, odometerIn: String?, odometerOut: String?, fuelIn: String?, fuelOut: String?,
                          reason: String?) throws -> VisitView {
        try actor.check(.manage)
        let plate = try Plate(plate)
        let visitId = try Desk.visitNumber(visit)
        let change = ReadingsChange(
            odometerIn: try CustodyReportRules.correction(odometerIn, field: "odometer-in") { try CustodyReportRules.odometer($0, field: $1) },
            odometerOut: try CustodyReportRules.correction(odometerOut, field: "odometer-out") { try CustodyReportRules.odometer($0, field: $1) },
            fuelIn: try CustodyReportRules.correction(fuelIn, field: "fuel-in") { try CustodyReportRules.fuel($0, field: $1) },
            fuelOut: try CustodyReportRules.correction(fuelOut, field: "fuel-out") { try CustodyReportRules.fuel($0, field: $1) })
        let why = try CorrectionRules.reason(reason)
        return try database.writing { tx in
            let config = try tx.config()
            let (vehicle, visit) = try tx.editVisitReadings(plate: plate, visitId: visitId, change: change, reason: why, context: context)
            return VisitView(visit, plate: vehicle.plate, time: config.time)
        }
    }

    /// The visits with km their movements cannot explain, for the manager (R14).
    func unexplainedKm(config: Config) throws -> [UnexplainedKmView] {
        try database.reading { tx in
            try tx.unexplainedKm(now: now, config: config).map { fact, check in
                UnexplainedKmView(visitId: fact.visit.id!, plate: fact.plate, checkout: fact.visit.checkoutAt.map(config.time.formatISO),
                                  kmDriven: check.kmDriven ?? 0, minutesDriven: check.minutesDriven, unexplainedKm: check.unexplainedKm ?? 0)
            }
        }
    }

    /// Writes the report's printable page (`--out FILE.html`).
    public func write(_ report: VisitReportView, to path: String, paper: InviteDocument.Paper, english: Bool = false) throws {
        guard path.lowercased().hasSuffix(".html") || path.lowercased().hasSuffix(".htm") else {
            throw DeskError.invalid(field: "out", reason: Message("input.report.outHTML", ["raw": .text(path)]))
        }
        let html = try CustodyReportDocument(report: report).html(paper: paper, templates: try Templates.shipped(), english: english)
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DeskError.storage(message: "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
