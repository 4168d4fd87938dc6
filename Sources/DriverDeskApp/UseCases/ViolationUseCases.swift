import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// How an import gathers the facts of R2; the answers are the same either way.
enum ImportStrategy {
    /// A pass over every movement when the list is big next to them, else the queries of `addViolation`.
    case automatic, scan, perRecord

    /// On the benchmark's chain of a million movements the pass costs about as much as 7,000 records asking
    /// their queries (0.5 s either way; 2,000 records: 0.28 s against 0.17 s).
    func scans(records: Int, movements: Int64) -> Bool {
        switch self {
        case .scan: true
        case .perRecord: false
        case .automatic: Int64(records) * 128 >= movements
        }
    }
}

/// A dry run does all the work in the transaction, then rolls it back.
struct ImportDryRun: Error { var outcome: ImportOutcome; var preview: [ImportPreview] }

/// One line of a dry run: whom the record would go to (the first lines of the file).
struct ImportPreview: Sendable {
    static let limit = 200
    var line: Int?
    var plate: String
    var occurredAt: Date
    var code: String
    var attribution: Attribution
}

extension ShopTransaction {
    /// Records one violation with its attribution (R2); a second copy (same record number, or plate, time and code) is refused.
    func addViolation(_ new: NewViolation, context: WriteContext, config: Config) throws -> ViolationRow {
        let vehicle = try resolveVehicle(new.plate)
        try ViolationRules.checkNew(existing: try duplicate(of: new, vehicleId: vehicle.id!), sameRecordNo: new.recordNo != nil)
        var violation = try makeViolation(new, vehicle: vehicle, config: config, now: context.now)
        try insert(&violation)
        try audit(context, action: "violation.add", subject: "violation #\(violation.id!) \(vehicle.plate) \(new.code)", before: nil, after: Audit.json(violation))
        return try violationRow(violation)
    }

    /// `rowByRow` moves the staged rows one by one, as the move does when it cannot tell which rows it skipped (tests).
    func importViolations(_ list: [NewViolation], source: String, dryRun: Bool, context: WriteContext, strategy: ImportStrategy,
                          rowByRow: Bool = false, progress: ((Int) -> Void)?, config: Config) throws -> ImportOutcome {
        // Plate → id of every customer car: all an import needs of them.
        let plates = try self.plates()
        var vehicles: [String: Int64] = [:]
        for (id, plate) in plates { vehicles[plate] = id }
        var unknown: [DeskError] = []
        for new in list where vehicles[new.plate.text] == nil {
            unknown.append(DeskError.invalid(field: "plate", reason: Message("input.import.unknownPlate", ["plate": .text(new.plate.text)]), line: new.line))
        }
        if !unknown.isEmpty { throw ImportErrors(errors: Array(unknown.prefix(200)), more: max(0, unknown.count - 200)) }
        // R2 as `addViolation` decides it, from facts read once for the whole list when it is big enough to pay
        // for a pass over every movement; a few records ask their three queries each.
        let movementCount = try lastMovementId()
        let vehicleIds = list.map { vehicles[$0.plate.text]! }
        let batch = strategy.scans(records: list.count, movements: movementCount)
            ? try importFacts(vehicleIds: vehicleIds, instants: list.map(\.occurredAt), plates: plates, config: config)
            : nil
        let recordedAt = context.now.seconds
        var preview: [ImportPreview] = []
        let outcome = try withImportStage { stage in
            for (index, new) in list.enumerated() {
                let vehicleId = vehicleIds[index]
                let attribution = try batch.map { facts in
                    let read = facts(vehicleId, new.occurredAt)
                    return Attribution.decide(plate: read.plate, at: new.occurredAt, isParking: new.isParking, movements: read.movements, visits: read.visits,
                                              slack: config.slack, time: config.time)
                } ?? attribution(vehicleId: vehicleId, plate: plates[vehicleId]!, at: new.occurredAt, isParking: new.isParking, config: config)
                try stage.append(new, vehicleId: vehicleId, attribution: attribution, recordedAt: recordedAt)
                if dryRun, preview.count < ImportPreview.limit {
                    preview.append(ImportPreview(line: new.line, plate: new.plate.text, occurredAt: new.occurredAt, code: new.code, attribution: attribution))
                }
                if (index + 1) % 10_000 == 0 { progress?(index + 1) }
            }
            return try stage.move(rowByRow: rowByRow)
        }
        if dryRun { throw ImportDryRun(outcome: outcome, preview: preview) }
        try audit(context, action: "violation.import", subject: source, before: nil,
                         after: Audit.json(["added": outcome.added, "skipped": outcome.skipped, "firstId": Int(outcome.firstId ?? 0), "lastId": Int(outcome.lastId ?? 0)]))
        return outcome
    }
}

extension ShopStore {
    /// Records one violation with its attribution (R2); a second copy (same record number, or plate, time and code) is refused.
    func addViolation(_ new: NewViolation, context: WriteContext) throws -> ViolationRow {
        try writing { tx in try tx.addViolation(new, context: context, config: tx.config()) }
    }

    /// `rowByRow` moves the staged rows one by one, as the move does when it cannot tell which rows it skipped (tests).
    func importViolations(_ list: [NewViolation], source: String, dryRun: Bool, context: WriteContext, strategy: ImportStrategy,
                          rowByRow: Bool = false, progress: ((Int) -> Void)?) throws -> ImportOutcome {
        try writing { tx in try tx.importViolations(list, source: source, dryRun: dryRun, context: context, strategy: strategy, rowByRow: rowByRow, progress: progress, config: tx.config()) }
    }

    /// Records many violations in one transaction, each attributed (R2); copies already recorded are skipped.
    /// Every plate must be a customer car: the unknown ones are returned as errors and nothing is written.
    func importViolations(_ list: [NewViolation], source: String, dryRun: Bool, context: WriteContext,
                                 progress: ((Int) -> Void)? = nil) throws -> ImportOutcome {
        try importViolations(list, source: source, dryRun: dryRun, context: context, strategy: .automatic, progress: progress)
    }

    /// The same import, rolled back: what it would add and skip.
    /// The import checked and attributed in full, then rolled back: what it would add, and whom its first lines go to.
    func dryRunImport(_ list: [NewViolation], source: String, context: WriteContext) throws -> (outcome: ImportOutcome, preview: [ImportPreview]) {
        do {
            return (try importViolations(list, source: source, dryRun: true, context: context, strategy: .automatic, progress: nil), [])
        } catch let dry as ImportDryRun {
            return (dry.outcome, dry.preview)
        }
    }
}

extension ShopTransaction {
    func duplicate(of new: NewViolation, vehicleId: Int64) throws -> Int64? {
        if let recordNo = new.recordNo, let id = try violationId(recordNo: recordNo) { return id }
        return try violationId(vehicleId: vehicleId, occurredAt: new.occurredAt, code: new.code)
    }

    func makeViolation(_ new: NewViolation, vehicle: Vehicle, config: Config, now: Date) throws -> Violation {
        let attribution = try attribution(vehicleId: vehicle.id!, plate: vehicle.plate, at: new.occurredAt, isParking: new.isParking, config: config)
        return Violation(vehicleId: vehicle.id!, occurredAt: new.occurredAt, code: new.code, descriptionText: new.description, category: new.category,
                         location: new.location, points: new.points, fineFen: new.fineFen, recordNo: new.recordNo, driverId: attribution.driver?.id,
                         attribution: attribution.kind, needsReview: attribution.needsReview, reasons: Message.encodeList(attribution.reasons),
                         movementId: attribution.movementId, recordedAt: now)
    }
}

extension ShopTransaction {
    /// Violations the desk still has to act on: processed ones, and open ones in the shop's custody;
    /// the most recent `limit` of them, and how many there are in all.
    func actionableViolations(limit: Int = 200) throws -> (rows: [ViolationRow], total: Int) {
        let found = try actionableViolations(limit: limit)
        return (try violationRows(found.rows), found.total)
    }

    /// Points a driver has taken in the scoring cycle that holds `day` (R6: points count on the processing date).
    func pointsInCycle(staff: Staff, on day: CivilDate, config: Config) throws -> (points: Int, start: CivilDate, end: CivilDate) {
        let cycle = ScoringCycle.cycle(firstIssued: staff.licenseFirstIssued, containing: day)
        return (try pointsInCycle(driver: staff, on: day, excluding: nil, config: config), cycle.start, cycle.end)
    }
}

extension ShopStore {
    /// Violations the desk still has to act on: processed ones, and open ones in the shop's custody;
    /// the most recent `limit` of them, and how many there are in all.
    func actionableViolations(limit: Int = 200) throws -> (rows: [ViolationRow], total: Int) {
        try reading { tx in try tx.actionableViolations(limit: limit) }
    }

    /// Points a driver has taken in the scoring cycle that holds `day` (R6: points count on the processing date).
    func pointsInCycle(staff: Staff, on day: CivilDate) throws -> (points: Int, start: CivilDate, end: CivilDate) {
        try reading { tx in try tx.pointsInCycle(staff: staff, on: day, config: tx.config()) }
    }

    /// One violation by number.
    func violation(_ id: Int64) throws -> ViolationRow {
        try reading { tx in try tx.violationRow(tx.fetchViolation(id)) }
    }

    /// Violations, newest first, optionally of one status.
    func violations(status: ViolationStatus? = nil, limit: Int? = nil) throws -> [ViolationRow] {
        try reading { tx in try tx.violationRows(tx.violations(status: status, limit: limit)) }
    }

    /// R4 for a violation on a processing day; nil when nobody is attributed.
    func channel(for row: ViolationRow, processingOn day: CivilDate) throws -> ChannelDecision? {
        try reading { tx in try tx.channel(for: row, processingOn: day) }
    }
}

extension ShopTransaction {
    func fetchViolation(_ id: Int64) throws -> Violation {
        guard let violation = try violation(id: id) else {
            throw DeskError.notFound(field: "id", reason: Message("notFound.violation", ["violation": .number(Int(id))]))
        }
        return violation
    }

    func violationRow(_ violation: Violation) throws -> ViolationRow {
        try violationRows([violation])[0]
    }

    func violationRows(_ violations: [Violation]) throws -> [ViolationRow] {
        let vehicles = try self.vehicles(ids: Set(violations.map(\.vehicleId)))
        let staff = try self.staff(ids: Set(violations.compactMap(\.driverId)))
        return violations.map { ViolationRow(violation: $0, vehicle: vehicles[$0.vehicleId]!, driver: $0.driverId.flatMap { staff[$0] }) }
    }

    func channel(for row: ViolationRow, processingOn day: CivilDate) throws -> ChannelDecision? {
        guard let driver = row.driver else { return nil }
        let config = try config()
        // The driver's registration on this car: the live one, else the latest.
        let registration = try registration(vehicleId: row.vehicle.id!, staffId: driver.id!).map { r in
                RegistrationFact(ref: r.ref, plate: row.vehicle.plate, staffName: driver.name, status: r.status, invitedAt: r.invitedAt, activatedAt: r.activatedAt)
            }
        let points = try pointsInCycle(driver: driver, on: day, excluding: row.violation.id, config: config)
        let channelCase = ChannelCase(plate: row.vehicle.plate, occurredAt: row.violation.occurredAt, points: row.violation.points,
                                      fineFen: row.violation.fineFen, driver: driver, registration: registration, pointsThisCycle: points)
        return ChannelRules.decide(channelCase, processingOn: day, settings: ChannelSettings(config), time: config.time)
    }

    func pointsInCycle(driver: Staff, on day: CivilDate, excluding id: Int64?, config: Config) throws -> Int {
        let cycle = ScoringCycle.cycle(firstIssued: driver.licenseFirstIssued, containing: day)
        let start = config.time.start(of: cycle.start), end = config.time.start(of: cycle.end.adding(days: 1))
        return try points(driver: driver, processedIn: start..<end, excluding: id)
    }
}

extension ShopTransaction {
    /// `violation assign`: the front desk decides who drove; audited with who decided and why (R2).
    func assignViolation(_ id: Int64, staff staffKey: String, reason: String, context: WriteContext) throws -> ViolationRow {
        var violation = try fetchViolation(id)
        let staff = try resolveStaff(staffKey)
        try ViolationRules.checkAssign(id: id, status: violation.status)
        let before = Audit.json(violation)
        violation.driverId = staff.id
        violation.attribution = .manual
        violation.needsReview = false
        violation.assignedBy = context.operator
        violation.assignReason = reason
        violation.assignedAt = context.now
        violation.reasons = Message.encodeList([Message("attribution.assigned", ["staff": .text(staff.name), "operator": .text(context.operator), "reason": .text(reason)])])
        try update(violation)
        try audit(context, action: "violation.assign", subject: "violation #\(id) → \(staff.name)", before: before, after: Audit.json(violation))
        return try violationRow(violation)
    }

    /// `violation process`: the driver accepted it in 12123 (online, checked against R4) or at a window.
    func processViolation(_ id: Int64, window: Bool, at: Date, context: WriteContext, config: Config) throws -> ViolationOutcome {
        var violation = try fetchViolation(id)
        let time = config.time
        try ViolationRules.checkProcessable(id: id, status: violation.status, processedAt: violation.processedAt)
        guard at >= violation.occurredAt else {
            throw DeskError.invalid(field: "at", reason: Message("input.beforeViolation", ["at": .time(at), "occurred": .time(violation.occurredAt)]))
        }
        let row = try violationRow(violation)
        try ViolationRules.checkDecided(id: id, needsReview: violation.needsReview, driver: row.driver?.ref)
        let day = time.civilDate(of: at)
        let decision = !window && row.driver != nil ? try channel(for: row, processingOn: day) : nil
        try ViolationRules.checkProcess(id: id, driver: row.driver?.ref, plate: row.vehicle.plate, window: window, decision: decision, day: day)
        let driver = row.driver!
        let since = ProxyWatch.windowStart(at)
        let driverPlates = try pointPlates(driverId: driver.id!, processedSince: since)
        let plateDrivers = try pointDrivers(vehicleId: violation.vehicleId, processedSince: since)
        let warnings = violation.points > 0
            ? ProxyWatch.warnings(driver: driver.name, plate: row.vehicle.plate, driverPlates: driverPlates, plateDrivers: plateDrivers,
                                  platesLimit: config.int(.proxyPlatesPerDriver), driversLimit: config.int(.proxyDriversPerPlate))
            : []
        let before = Audit.json(violation)
        violation.status = .processed
        violation.processedAt = at
        violation.processedChannel = window ? .window : .online
        try update(violation)
        try audit(context, action: "violation.process", subject: "violation #\(id) \(row.vehicle.plate) \(driver.name)", before: before, after: Audit.json(violation))
        return ViolationOutcome(row: try violationRow(violation), warnings: warnings, removalDue: nil)
    }

    /// `violation pay` (R7): records the payment with the late fee of the day; the last payment of a driver
    /// on a car makes his registration due for removal (R8).
    func payViolation(_ id: Int64, method: PaymentMethod, payer: Payer, amountFen: Int?, at: Date, context: WriteContext, config: Config) throws -> ViolationOutcome {
        var violation = try fetchViolation(id)
        let time = config.time
        try ViolationRules.checkPay(id: id, status: violation.status, paidAt: violation.paidAt)
        try ViolationRules.checkDecided(id: id, needsReview: violation.needsReview, driver: try violationRow(violation).driver?.ref)
        guard let processedAt = violation.processedAt, at >= processedAt else {
            throw DeskError.invalid(field: "at", reason: Message("input.beforeProcessed", ["at": .time(at), "processed": .time(violation.processedAt ?? at)]))
        }
        let fees = FeeRules(config)
        let processed = time.civilDate(of: processedAt), day = time.civilDate(of: at)
        let lateFee = fees.lateFee(fineFen: violation.fineFen, processedOn: processed, on: day)
        let due = violation.fineFen + lateFee
        let paid = amountFen ?? due
        try FeeRules.checkPayment(id: id, paidFen: paid, fineFen: violation.fineFen)
        let warnings = FeeRules.paymentWarnings(paidFen: paid, fineFen: violation.fineFen, lateFeeFen: lateFee, on: day)
        let before = Audit.json(violation)
        violation = ViolationRules.paid(violation, at: at, paidFen: paid, lateFeeFen: lateFee, method: method, payer: payer)
        try update(violation)
        let row = try violationRow(violation)
        try audit(context, action: "violation.pay", subject: "violation #\(id) \(row.vehicle.plate)", before: before, after: Audit.json(violation))

        var removal: String?
        if let driverId = violation.driverId {
            let others = try unpaidCount(vehicleId: violation.vehicleId, driverId: driverId, excluding: id)
            let active = try registrations(RegistrationQuery(status: .active, vehicleId: violation.vehicleId, staffId: driverId)).first
            if var registration = active, let dueAt = RegistrationRules.removalDue(paidAt: at, otherUnpaidOnCar: others, registration: registration.status,
                                                                                   graceDays: config.int(.removalGraceDays)) {
                let registrationBefore = Audit.json(registration)
                registration.status = .removalDue
                registration.removalDueAt = dueAt
                try update(registration)
                try audit(context, action: "registration.removalDue", subject: "\(registration.ref) \(row.vehicle.plate)",
                                 before: registrationBefore, after: Audit.json(registration))
                removal = registration.ref
            }
        }
        return ViolationOutcome(row: row, warnings: warnings, removalDue: removal)
    }
}

extension ShopStore {
    /// `violation assign`: the front desk decides who drove; audited with who decided and why (R2).
    func assignViolation(_ id: Int64, staff staffKey: String, reason: String, context: WriteContext) throws -> ViolationRow {
        try writing { tx in try tx.assignViolation(id, staff: staffKey, reason: reason, context: context) }
    }

    /// `violation process`: the driver accepted it in 12123 (online, checked against R4) or at a window.
    func processViolation(_ id: Int64, window: Bool, at: Date, context: WriteContext) throws -> ViolationOutcome {
        try writing { tx in try tx.processViolation(id, window: window, at: at, context: context, config: tx.config()) }
    }

    /// `violation pay` (R7): records the payment with the late fee of the day; the last payment of a driver
    /// on a car makes his registration due for removal (R8).
    func payViolation(_ id: Int64, method: PaymentMethod, payer: Payer, amountFen: Int?, at: Date, context: WriteContext) throws -> ViolationOutcome {
        try writing { tx in try tx.payViolation(id, method: method, payer: payer, amountFen: amountFen, at: at, context: context, config: tx.config()) }
    }
}
