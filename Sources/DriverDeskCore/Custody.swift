import Foundation

/// Why a staff member drove a customer car.
public enum MovementPurpose: String, CaseIterable, Codable, Sendable {
    case roadTest = "road-test", parking, delivery, pickup, other

    public init(parsing raw: String, field: String = "purpose") throws {
        guard let value = MovementPurpose(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(MovementPurpose.allCases.map(\.rawValue))]))
        }
        self = value
    }
}

/// A staff member as other records name him.
public struct StaffRef: Codable, Hashable, Sendable {
    public var id: Int64
    public var name: String
    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}

/// One staff member driving one vehicle, as the rules see it (R1, R2).
public struct MovementSpan: Sendable, Equatable {
    public var id: Int64
    public var plate: String
    public var staff: StaffRef
    public var start: Date
    /// nil while the car is being driven.
    public var end: Date?
    public var purpose: MovementPurpose
    /// The code of the chain's other shop where he drives then (R1 across a chain); nil for this shop's movements. Of
    /// such a stretch nothing else is known: no movement number, no car, no purpose.
    public var elsewhere: String?

    public init(id: Int64, plate: String, staff: StaffRef, start: Date, end: Date?, purpose: MovementPurpose, elsewhere: String? = nil) {
        self.id = id
        self.plate = plate
        self.staff = staff
        self.start = start
        self.end = end
        self.purpose = purpose
        self.elsewhere = elsewhere
    }

    /// Half-open overlap: a movement may start the second another one ends.
    public func overlaps(start otherStart: Date, end otherEnd: Date?) -> Bool {
        let selfEnd = end ?? .distantFuture
        let otherEnd = otherEnd ?? .distantFuture
        return start < otherEnd && otherStart < selfEnd
    }
}

/// A period during which a vehicle is in the shop's custody.
public struct VisitSpan: Sendable, Equatable {
    public var id: Int64
    public var checkin: Date
    /// nil while the car is in the shop.
    public var checkout: Date?

    public init(id: Int64, checkin: Date, checkout: Date?) {
        self.id = id
        self.checkin = checkin
        self.checkout = checkout
    }

    /// Inclusive at both ends: a camera at the minute of check-in is still in custody.
    public func covers(_ time: Date) -> Bool {
        checkin <= time && time <= (checkout ?? .distantFuture)
    }
}

/// R1: movements never overlap per vehicle or per staff member, and lie inside a visit. Every refusal is a value
/// (`DeskError.refusedWith`) naming the conflicting movement or visit.
public enum CustodyRules {
    static func refused(_ reason: Message) -> DeskError { .refusedWith(rule: "R1", reasons: [reason]) }

    /// Checks a new or changed movement against what is already recorded; throws a refusal naming the conflict.
    ///
    /// `vehicleMovements` and `staffMovements` need only hold the movements near the candidate;
    /// a movement with the candidate's `id` is ignored (it is the one being changed).
    public static func checkMovement(
        id: Int64? = nil, plate: String, staff: StaffRef, start: Date, end: Date?,
        visit: VisitSpan?, vehicleMovements: [MovementSpan], staffMovements: [MovementSpan], time: ShopTime
    ) throws {
        if let end, end <= start {
            throw refused(Message("movement.endsBeforeStart", ["start": .time(start), "end": .time(end)]))
        }
        guard let visit, visit.covers(start) else {
            throw refused(Message("movement.notCheckedIn", ["plate": .text(plate), "at": .time(start)]))
        }
        if let checkout = visit.checkout {
            if end == nil {
                throw refused(Message("movement.openAfterCheckout", ["plate": .text(plate), "checkout": .time(checkout)]))
            }
            if let end, end > checkout {
                throw refused(Message("movement.endsAfterCheckout", ["plate": .text(plate), "checkout": .time(checkout), "end": .time(end)]))
            }
        }
        for other in vehicleMovements where other.id != id && other.overlaps(start: start, end: end) {
            throw refused(conflict(other))
        }
        for other in staffMovements where other.id != id && other.overlaps(start: start, end: end) {
            throw DeskError.refusedWith(rule: "R1", reasons: [Message("movement.driverBusy", ["staff": .text(other.staff.name)]), conflict(other)])
        }
    }

    /// "京A12345 is being driven by 王磊 since 10:02 (movement #4)", or was driven from … to ….
    static func conflict(_ other: MovementSpan) -> Message {
        if let shop = other.elsewhere {
            if let end = other.end {
                return Message("movement.elsewhere", ["staff": .text(other.staff.name), "shop": .text(shop), "from": .time(other.start), "to": .time(end)])
            }
            return Message("movement.elsewhereSince", ["staff": .text(other.staff.name), "shop": .text(shop), "since": .time(other.start)])
        }
        if let end = other.end {
            return Message("movement.overlaps", ["plate": .text(other.plate), "staff": .text(other.staff.name), "from": .time(other.start), "to": .time(end), "movement": .number(Int(other.id))])
        }
        return Message("movement.beingDriven", ["plate": .text(other.plate), "staff": .text(other.staff.name), "since": .time(other.start), "movement": .number(Int(other.id))])
    }

    /// A visit's check-in must not fall inside another visit of the same vehicle.
    public static func checkCheckin(plate: String, at: Date, visits: [VisitSpan], time: ShopTime) throws {
        for visit in visits {
            if visit.checkout == nil {
                throw refused(Message("visit.alreadyIn", ["plate": .text(plate), "since": .time(visit.checkin), "visit": .number(Int(visit.id))]))
            }
            if let checkout = visit.checkout, visit.checkin <= at, at <= checkout {
                throw refused(Message("visit.insideAnother", ["plate": .text(plate), "from": .time(visit.checkin), "to": .time(checkout), "visit": .number(Int(visit.id))]))
            }
            if at < visit.checkin {
                throw refused(Message("visit.laterVisit", ["plate": .text(plate), "from": .time(visit.checkin), "visit": .number(Int(visit.id))]))
            }
        }
    }

    /// Check-out must come after check-in and after every movement of the visit has ended.
    public static func checkCheckout(plate: String, visit: VisitSpan, at: Date, movements: [MovementSpan], time: ShopTime) throws {
        guard at > visit.checkin else {
            throw refused(Message("visit.checkoutBeforeCheckin", ["plate": .text(plate), "checkin": .time(visit.checkin)]))
        }
        if let open = movements.first(where: { $0.end == nil }) {
            throw refused(conflict(open))
        }
        if let last = movements.compactMap({ m in m.end.map { (m, $0) } }).max(by: { $0.1 < $1.1 }), last.1 > at {
            throw refused(Message("visit.checkoutBeforeMovementEnd", ["plate": .text(plate), "staff": .text(last.0.staff.name), "until": .time(last.1), "movement": .number(Int(last.0.id))]))
        }
    }
}

/// What a driver's phone offers on a key tag's link: start driving the car, or end his own movement on it.
public enum DriverMove: Sendable, Equatable {
    /// Nobody drives the car and it is in the shop: he may start (with a purpose).
    case start
    /// He drives it now: he may end this movement.
    case end(MovementSpan)
}

/// A driver on his own phone records only his own movements (docs/rulebook.md, "People and roles"): R1 and R13 hold as
/// at the desk; these are what the phone adds.
public enum DriverRules {
    /// What the car's link offers `me`: refused when the car is not in the shop (R1), or someone else drives it (with
    /// who and since when: he cannot end another's movement, and the car cannot be driven twice).
    public static func move(me: StaffRef, plate: String, checkedIn: Bool, driven: MovementSpan?) throws -> DriverMove {
        if let driven {
            guard driven.staff.id == me.id, driven.elsewhere == nil else {
                throw DeskError.refusedWith(rule: "R1", reasons: [CustodyRules.conflict(driven), Message("driver.notYours", ["staff": .text(driven.staff.name)])])
            }
            return .end(driven)
        }
        guard checkedIn else {
            throw DeskError.refusedWith(rule: "R1", reasons: [Message("driver.notInShop", ["plate": .text(plate)])])
        }
        return .start
    }

    /// Ending asks for the movement he drives: refused when nobody drives the car, or someone else does.
    public static func checkEnd(me: StaffRef, plate: String, driven: MovementSpan?) throws -> MovementSpan {
        guard let driven else { throw DeskError.refusedWith(rule: "R1", reasons: [Message("movement.nobodyDriving", ["plate": .text(plate)])]) }
        guard case .end(let mine) = try move(me: me, plate: plate, checkedIn: true, driven: driven) else { return driven }
        return mine
    }
}

extension DriverRules {
    /// What a violation attributed to him asks of the driver next, as his page says it: process it in 12123 (from
    /// the day online processing opens), go to a police window, pay by the due date (or now, late), or nothing yet
    /// while the desk reviews it or the owner's registration is still to come.
    public static func todo(_ next: NextAction, onlineFrom: CivilDate?, dueDate: CivilDate?, totalDueFen: Int?) -> Message {
        switch next {
        case .process:
            if let onlineFrom { return Message("driver.todo.processFrom", ["from": .day(onlineFrom)]) }
            return Message("driver.todo.process")
        case .window: return Message("driver.todo.window")
        case .pay: return Message("driver.todo.pay", ["due": dueDate.map { .day($0) } ?? .text("—"), "total": .fen(totalDueFen ?? 0)])
        case .overdue: return Message("driver.todo.overdue", ["due": dueDate.map { .day($0) } ?? .text("—"), "total": .fen(totalDueFen ?? 0)])
        case .review, .invite, .none: return Message("driver.todo.desk")
        }
    }
}
