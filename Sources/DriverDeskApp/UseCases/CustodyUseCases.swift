import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    // Custody's use cases as one transaction's work: the caller opens the transaction and reads the settings in it, once.

    /// Opens a visit: the car is in the shop's custody from `at` (R1), with what it is planned for, if anything, and
    /// the odometer and fuel gauge when taken (R14).
    func checkin(plate: Plate, at: Date, orderNo: String?, plan: [MovementPurpose] = [], odometer: Int? = nil, fuel: Int? = nil,
                 context: WriteContext, config: Config) throws -> Visit {
        let vehicle = try resolveVehicle(plate)
        let near = try visits(vehicleId: vehicle.id!, notEndedBefore: at)
        try CustodyRules.checkCheckin(plate: vehicle.plate, at: at, visits: near.map(\.span), time: config.time)
        var visit = Visit(vehicleId: vehicle.id!, checkinAt: at, orderNo: orderNo)
        visit.odometerIn = odometer
        visit.fuelIn = fuel
        try insert(&visit)
        if !plan.isEmpty { try setPlan(visitId: visit.id!, purposes: plan) }
        let after = plan.isEmpty ? Audit.json(visit) : Audit.json(PlannedVisitRecord(visit: visit, plan: plan))
        try audit(context, action: "visit.checkin", subject: "visit #\(visit.id!) \(vehicle.plate)", before: nil, after: after)
        return visit
    }

    /// Closes the open visit of a car, once nobody is driving it (R1).
    /// An odometer reading lower than the one at check-in is refused (R14), naming `odometer`.
    func checkout(plate: Plate, at: Date, odometer: Int? = nil, fuel: Int? = nil, context: WriteContext, config: Config) throws -> Visit {
        let vehicle = try resolveVehicle(plate)
        let open = try openVisit(vehicleId: vehicle.id!)
        try CustodyRules.checkHasOpenVisit(plate: vehicle.plate, open: open != nil)
        guard var visit = open else { throw DeskError.storage(message: "no open visit") }
        let movements = try self.movements(MovementQuery(visitId: visit.id!)).map(\.span)
        try CustodyRules.checkCheckout(plate: vehicle.plate, visit: visit.span, at: at, movements: movements, time: config.time)
        try CustodyReportRules.checkOdometer(in: visit.odometerIn, out: odometer)
        let before = Audit.json(visit)
        visit.checkoutAt = at
        visit.odometerOut = odometer
        visit.fuelOut = fuel
        try update(visit)
        try audit(context, action: "visit.checkout", subject: "visit #\(visit.id!) \(vehicle.plate)", before: before, after: Audit.json(visit))
        return visit
    }

    /// A staff member starts driving a car in the shop (R1).
    func startMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, at: Date, context: WriteContext, config: Config) throws -> MovementRow {
        try recordMovement(plate: plate, staff: staffKey, purpose: purpose, start: at, end: nil, action: "movement.start", context: context, config: config)
    }

    /// Records a movement that has already ended (R1).
    func logMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, from: Date, to: Date, context: WriteContext, config: Config) throws -> MovementRow {
        try recordMovement(plate: plate, staff: staffKey, purpose: purpose, start: from, end: to, action: "movement.log", context: context, config: config)
    }

    func recordMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, start: Date, end: Date?, action: String, context: WriteContext, config: Config) throws -> MovementRow {
        let vehicle = try resolveVehicle(plate)
        let staff = try resolveStaff(staffKey)
        try CustodyRules.checkDriver(staff.ref, active: staff.active)
        let visit = try self.visit(vehicleId: vehicle.id!, covering: start)
        let vehicleNear = try spansNear(vehicleId: vehicle.id!, start: start, end: end)
        let staffNear = try spansNear(staffId: staff.id!, start: start, end: end) + movementsElsewhere(driver: staff, start: start, end: end)
        try CustodyRules.checkMovement(plate: vehicle.plate, staff: staff.ref, start: start, end: end, visit: visit?.span,
                                       vehicleMovements: vehicleNear, staffMovements: staffNear, time: config.time)
        let warnings = try DrivingRules.check(driver: staff, plate: vehicle.plate, size: vehicle.size, purpose: purpose,
                                              day: config.time.civilDate(of: start), checkedPurposes: DrivingRules.checkedPurposes(config))
        var movement = Movement(visitId: visit!.id!, vehicleId: vehicle.id!, staffId: staff.id!, startAt: start, endAt: end, purpose: purpose)
        try insert(&movement)
        try audit(context, action: action, subject: "movement #\(movement.id!) \(vehicle.plate) \(staff.name)", before: nil, after: Audit.json(movement))
        return MovementRow(span: MovementSpan(id: movement.id!, plate: vehicle.plate, staff: staff.ref, start: start, end: end, purpose: purpose), visitId: visit!.id!,
                           warnings: warnings)
    }

    /// Ends the movement in progress on a car (R1).
    func endMovement(plate: Plate, at: Date, context: WriteContext, config: Config) throws -> MovementRow {
        let vehicle = try resolveVehicle(plate)
        let driven = try movementInProgress(vehicleId: vehicle.id!)
        try CustodyRules.checkBeingDriven(plate: vehicle.plate, driven: driven != nil)
        guard var movement = driven else { throw DeskError.storage(message: "no movement in progress") }
        guard let staff = try self.staff(id: movement.staffId) else { throw DeskError.storage(message: "movement #\(movement.id!) has no driver") }
        guard let visit = try self.visit(id: movement.visitId) else { throw DeskError.storage(message: "movement #\(movement.id!) has no visit") }
        try CustodyRules.checkMovement(id: movement.id, plate: vehicle.plate, staff: staff.ref, start: movement.startAt, end: at, visit: visit.span,
                                       vehicleMovements: [], staffMovements: [], time: config.time)
        let before = Audit.json(movement)
        movement.endAt = at
        try update(movement)
        try audit(context, action: "movement.end", subject: "movement #\(movement.id!) \(vehicle.plate) \(staff.name)", before: before, after: Audit.json(movement))
        return MovementRow(span: MovementSpan(id: movement.id!, plate: vehicle.plate, staff: staff.ref, start: movement.startAt, end: at, purpose: movement.purpose), visitId: visit.id!)
    }

}

extension ShopStore {
    // The same, each in a transaction of its own (the store's tests on both engines).

    /// Opens a visit: the car is in the shop's custody from `at` (R1).
    func checkin(plate: Plate, at: Date, orderNo: String?, odometer: Int? = nil, fuel: Int? = nil, context: WriteContext) throws -> Visit {
        try writing { tx in try tx.checkin(plate: plate, at: at, orderNo: orderNo, odometer: odometer, fuel: fuel, context: context, config: tx.config()) }
    }

    /// Closes the open visit of a car, once nobody is driving it (R1).
    func checkout(plate: Plate, at: Date, odometer: Int? = nil, fuel: Int? = nil, context: WriteContext) throws -> Visit {
        try writing { tx in try tx.checkout(plate: plate, at: at, odometer: odometer, fuel: fuel, context: context, config: tx.config()) }
    }

    /// A staff member starts driving a car in the shop (R1).
    func startMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, at: Date, context: WriteContext) throws -> MovementRow {
        try writing { tx in try tx.startMovement(plate: plate, staff: staffKey, purpose: purpose, at: at, context: context, config: tx.config()) }
    }

    /// Records a movement that has already ended (R1).
    func logMovement(plate: Plate, staff staffKey: String, purpose: MovementPurpose, from: Date, to: Date, context: WriteContext) throws -> MovementRow {
        try writing { tx in try tx.logMovement(plate: plate, staff: staffKey, purpose: purpose, from: from, to: to, context: context, config: tx.config()) }
    }

    /// Ends the movement in progress on a car (R1).
    func endMovement(plate: Plate, at: Date, context: WriteContext) throws -> MovementRow {
        try writing { tx in try tx.endMovement(plate: plate, at: at, context: context, config: tx.config()) }
    }

    /// One movement by number, with its plate and driver.
    func movement(_ id: Int64) throws -> MovementRow {
        try reading { tx in
            guard let m = try tx.movement(id: id), let vehicle = try tx.vehicles(ids: [m.vehicleId])[m.vehicleId], let staff = try tx.staff(id: m.staffId) else {
                throw DeskError.notFound(field: "id", reason: Message("notFound.movement", ["movement": .number(Int(id))]))
            }
            return MovementRow(span: MovementSpan(id: id, plate: vehicle.plate, staff: staff.ref, start: m.startAt, end: m.endAt, purpose: m.purpose), visitId: m.visitId)
        }
    }

    /// Whether someone is driving the car now.
    func isBeingDriven(plate: Plate) throws -> Bool {
        try reading { tx in try tx.movementInProgress(vehicleId: tx.resolveVehicle(plate).id!) != nil }
    }

    /// Movements matching a filter, newest first.
    func movements(_ filter: MovementFilter) throws -> [MovementRow] {
        try reading { tx in
            try tx.movements(MovementQuery(vehicleId: filter.vehicleId, staffId: filter.staffId, startUpTo: filter.to, notEndedBefore: filter.from,
                                           newestFirst: true, limit: filter.limit))
        }
    }

    /// R2 for a plate at a time, from the movements and visits near it: the facts in one read (the settings among
    /// them, so the movements read cover the largest slack allowed, and the shop's slack picks among them).
    func attribution(plate: Plate, at: Date, isParking: Bool) throws -> (vehicle: Vehicle, attribution: Attribution) {
        try reading { tx in
            guard let facts = try tx.custodyFacts(plate: plate.text, at: at, window: Config.maxSlack) else {
                let vehicle = try tx.resolveVehicle(plate)  // no such car: refused as every command refuses it
                return (vehicle, try tx.attribution(vehicleId: vehicle.id!, plate: vehicle.plate, at: at, isParking: isParking, config: try tx.config()))
            }
            let config = Config(stored: facts.settings)
            return (facts.vehicle, Attribution.decide(plate: facts.vehicle.plate, at: at, isParking: isParking,
                                                      movements: facts.near(at: at, slack: config.slack), visits: facts.lastVisit.map { [$0.span] } ?? [],
                                                      slack: config.slack, time: config.time))
        }
    }
}

extension ShopTransaction {
    func attribution(vehicleId: Int64, plate: String, at: Date, isParking: Bool, config: Config) throws -> Attribution {
        let slack = TimeInterval(config.slack)
        var near = try movements(MovementQuery(vehicleId: vehicleId, startFrom: at.addingTimeInterval(-slack), startUpTo: at.addingTimeInterval(slack)))
        near += try movements(MovementQuery(vehicleId: vehicleId, startBefore: at.addingTimeInterval(-slack), newestFirst: true, limit: 1))
        let visits = try lastVisit(vehicleId: vehicleId, checkedInBy: at).map { [$0.span] } ?? []
        return Attribution.decide(plate: plate, at: at, isParking: isParking, movements: near.map(\.span), visits: visits,
                                  slack: config.slack, time: config.time)
    }

    /// Every movement of a car that could overlap [start, end): those starting inside it, and the last one before it.
    ///
    /// Complete because recorded movements of one car (or one staff member) never overlap each other.
    func spansNear(vehicleId: Int64? = nil, staffId: Int64? = nil, start: Date, end: Date?) throws -> [MovementSpan] {
        var result = try movements(MovementQuery(vehicleId: vehicleId, staffId: staffId, startFrom: start, startBefore: end))
        result += try movements(MovementQuery(vehicleId: vehicleId, staffId: staffId, startBefore: start, newestFirst: true, limit: 1))
        return result.map(\.span)
    }
}
