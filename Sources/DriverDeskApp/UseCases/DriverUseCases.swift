import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// What a driver's phone shows on a key tag's link: the car, and the one thing he may do with it now.
public struct DriverCarView: Codable, Sendable, Equatable {
    public var plate: String
    /// The key tag's token (`BJ-A12345`), the link's last part.
    public var token: String
    /// What the page offers: `start` (nobody drives it, it is in the shop) or `end` (he drives it).
    public var offer: String
    /// His movement on it, when `offer` is `end`.
    public var movement: MovementView?
}

/// A driver's own page: what he drove today, his violations and what each asks of him, his registrations, his points
/// in the scoring cycle and his registration slots. Nothing of anyone else.
public struct DriverHomeView: Encodable, Sendable {
    public var staff: StaffView
    /// The movement he is in now, if any.
    public var driving: MovementView?
    /// Today's movements (the shop's calendar day), newest first.
    public var today: [MovementView]
    /// His violations not yet finished, each with `nextAction` and its dates.
    public var violations: [ViolationView]
    /// What each of those violations asks of him, in the chosen language, by violation id.
    public var todo: [Int64: String]
    /// His registrations in 12123 that are active or to be removed.
    public var registrations: [RegistrationView]
    /// What each registration to be removed asks of him, by ref.
    public var removals: [String: String]
    public var slots: SlotSummary
    public var slotsText: String
}

extension ShopTransaction {
    /// Ends the movement the driver `me` is in on a car; refused when nobody drives it or someone else does (R1).
    func endOwnMovement(plate: Plate, me: Staff, at: Date, context: WriteContext, config: Config) throws -> MovementRow {
        let vehicle = try resolveVehicle(plate)
        let driven = try movementInProgress(vehicleId: vehicle.id!)
        let span = try driven.map { m -> MovementSpan in
            guard let staff = try self.staff(id: m.staffId) else { throw DeskError.storage(message: "movement #\(m.id!) has no driver") }
            return MovementSpan(id: m.id!, plate: vehicle.plate, staff: staff.ref, start: m.startAt, end: nil, purpose: m.purpose)
        }
        _ = try DriverRules.checkEnd(me: me.ref, plate: vehicle.plate, driven: span)
        return try endMovement(plate: plate, at: at, context: context, config: config)
    }
}

extension Desk {
    /// The staff member a driver's account is tied to; anyone else is refused (403): these use cases are a driver's.
    func me(in tx: any ShopTransaction) throws -> Staff {
        try actor.check(.drive)
        guard case .account(_, .driver, let staffId?) = actor, let staff = try tx.staff(id: staffId) else {
            throw DeskError.forbidden(reasons: [Message("role.notAllowed", ["name": .text(operatorName), "role": .term("role", Role.driver.rawValue)])])
        }
        return staff
    }

    /// The car a key tag's token (or its whole link) names, for a driver: refused when the token names no car of the shop.
    static func keyTagPlate(_ token: String) throws -> Plate {
        guard let plate = KeyTagToken.plate(of: token.trimmingSpaces()) ?? KeyTagToken.plate(inLink: token) else {
            throw DeskError.notFound(field: "token", reason: Message("notFound.keyTag", ["token": .text(String(token.prefix(40)))]))
        }
        return plate
    }

    /// A key tag's link opened on a driver's phone: the car, and whether he may start driving it or end his movement
    /// on it; refused (R1) when it is not in the shop or someone else drives it, naming who and since when.
    public func driverCar(token: String) throws -> DriverCarView {
        try actor.check(.drive)
        let plate = try Desk.keyTagPlate(token)
        return try database.reading { tx in
            let me = try self.me(in: tx)
            let config = try tx.config()
            let vehicle = try tx.resolveVehicle(plate)
            let driven = try tx.movementInProgress(vehicleId: vehicle.id!)
            var span: MovementSpan?
            if let driven {
                guard let staff = try tx.staff(id: driven.staffId) else { throw DeskError.storage(message: "movement #\(driven.id!) has no driver") }
                span = MovementSpan(id: driven.id!, plate: vehicle.plate, staff: staff.ref, start: driven.startAt, end: nil, purpose: driven.purpose)
            }
            let checkedIn = try tx.openVisit(vehicleId: vehicle.id!) != nil
            let move = try DriverRules.move(me: me.ref, plate: vehicle.plate, checkedIn: checkedIn, driven: span)
            var view = DriverCarView(plate: vehicle.plate, token: KeyTagToken.token(of: plate), offer: "start", movement: nil)
            if case .end(let mine) = move, let driven {
                view.offer = "end"
                view.movement = MovementView(MovementRow(span: mine, visitId: driven.visitId), time: config.time)
            }
            return view
        }
    }

    /// The driver starts driving the car of a key tag, now, for `purpose` (R1, R13 as at the desk).
    public func driverStart(token: String, purpose: String?) throws -> MovementView {
        try actor.check(.drive)
        let plate = try Desk.keyTagPlate(token)
        let purpose = try purpose.map { try MovementPurpose(parsing: $0) } ?? .roadTest
        return try database.writing { tx in
            let me = try self.me(in: tx)
            let config = try tx.config()
            let row = try tx.startMovement(plate: plate, staff: "#\(me.id!)", purpose: purpose, at: now, context: context, config: config)
            var view = MovementView(row, time: config.time)
            view.warnings = try catalogue(config).render(row.warnings, time: config.time)
            return view
        }
    }

    /// The driver ends his own movement on the car of a key tag, now; another's is refused naming who drives it since when.
    public func driverEnd(token: String) throws -> MovementView {
        try actor.check(.drive)
        let plate = try Desk.keyTagPlate(token)
        return try database.writing { tx in
            let me = try self.me(in: tx)
            let config = try tx.config()
            return MovementView(try tx.endOwnMovement(plate: plate, me: me, at: now, context: context, config: config), time: config.time)
        }
    }

    /// The driver's own page.
    public func driverHome() throws -> DriverHomeView {
        try actor.check(.drive)
        let config = try config()
        let today = today(config)
        let catalogue = try catalogue(config)
        let me = try database.reading { tx in try self.me(in: tx) }
        let movements = try database.movements(MovementFilter(staffId: me.id, from: config.time.start(of: today), limit: 200))
            .map { MovementView($0, time: config.time) }
        let rows = try database.violations(status: nil).filter { $0.driver?.id == me.id }
        var violations: [ViolationView] = []
        var todo: [Int64: String] = [:]
        for row in rows {
            let decision = row.violation.status == .open ? try database.channel(for: row, processingOn: today) : nil
            let view = ViolationView(row, decision: decision, config: config, today: today, catalogue: catalogue)
            guard let next = NextAction(rawValue: view.nextAction), next != .none else { continue }
            violations.append(view)
            let day = { (text: String?) in text.flatMap { try? CivilDate(parsing: $0, field: "date") } }
            let fen = view.totalDueYuan.map { NSDecimalNumber(decimal: $0 * 100).intValue }
            todo[view.id] = catalogue.render(DriverRules.todo(next, onlineFrom: day(view.onlineFrom), dueDate: day(view.dueDate), totalDueFen: fen),
                                             time: config.time)
        }
        let registrations = try database.registrations(staffId: me.id).map { RegistrationView($0, config: config) }
            .filter { $0.status == RegistrationStatus.active.rawValue || $0.status == RegistrationStatus.removalDue.rawValue }
        var removals: [String: String] = [:]
        for r in registrations where r.status == RegistrationStatus.removalDue.rawValue {
            removals[r.ref] = catalogue.render(Message("driver.todo.remove", ["plate": .text(r.plate)]), time: config.time)
        }
        let slots = try database.slots(staffId: me.id!, on: today)
        return DriverHomeView(staff: try staffView(me, config: config), driving: movements.first(where: \.inProgress), today: movements,
                              violations: violations, todo: todo, registrations: registrations, removals: removals,
                              slots: slots, slotsText: catalogue.slots(slots))
    }
}

extension Desk {
    /// The plate a key tag's token names, read without the database (for a page that says why the car cannot be had).
    public func driverPlate(token: String) throws -> String { try Desk.keyTagPlate(token).text }
}
