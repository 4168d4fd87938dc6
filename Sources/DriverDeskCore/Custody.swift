import Foundation

/// Why a staff member drove a customer car.
public enum MovementPurpose: String, CaseIterable, Codable, Sendable {
    case roadTest = "road-test", parking, delivery, pickup, other

    public init(parsing raw: String, field: String = "purpose") throws {
        guard let value = MovementPurpose(rawValue: raw.trimmingSpaces().lowercased()) else {
            throw DeskError.invalid(field: field, message: "\"\(raw)\" is not a purpose; use one of \(MovementPurpose.allCases.map(\.rawValue).joined(separator: ", "))")
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

    public init(id: Int64, plate: String, staff: StaffRef, start: Date, end: Date?, purpose: MovementPurpose) {
        self.id = id
        self.plate = plate
        self.staff = staff
        self.start = start
        self.end = end
        self.purpose = purpose
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

/// R1: movements never overlap per vehicle or per staff member, and lie inside a visit.
public enum CustodyRules {
    /// Checks a new or changed movement against what is already recorded; throws `.refused` naming the conflict.
    ///
    /// `vehicleMovements` and `staffMovements` need only hold the movements near the candidate;
    /// a movement with the candidate's `id` is ignored (it is the one being changed).
    public static func checkMovement(
        id: Int64? = nil, plate: String, staff: StaffRef, start: Date, end: Date?,
        visit: VisitSpan?, vehicleMovements: [MovementSpan], staffMovements: [MovementSpan], time: ShopTime
    ) throws {
        if let end, end <= start {
            throw DeskError.refused(rule: "R1", message: "a movement must end after it starts: \(time.format(end)) is not after \(time.format(start))")
        }
        guard let visit, visit.covers(start) else {
            throw DeskError.refused(rule: "R1", message: "\(plate) is not checked in at \(time.format(start)); a movement lies inside a visit: driverdesk visit checkin --plate \(plate) --at \"\(time.format(start))\"")
        }
        if let checkout = visit.checkout {
            if end == nil {
                throw DeskError.refused(rule: "R1", message: "\(plate) was checked out at \(time.format(checkout)); a movement in that visit must end by then: give --to, or check it in again")
            }
            if let end, end > checkout {
                throw DeskError.refused(rule: "R1", message: "\(plate) was checked out at \(time.format(checkout)), before the movement would end at \(time.format(end)); a movement lies inside a visit")
            }
        }
        for other in vehicleMovements where other.id != id && other.overlaps(start: start, end: end) {
            throw DeskError.refused(rule: "R1", message: describeConflict(other, time: time, subject: other.plate))
        }
        for other in staffMovements where other.id != id && other.overlaps(start: start, end: end) {
            throw DeskError.refused(rule: "R1", message: "nobody drives two cars at once: " + describeConflict(other, time: time, subject: other.staff.name))
        }
    }

    /// "京A12345 is being driven by 王磊 since 10:02; end that movement first: …"
    static func describeConflict(_ other: MovementSpan, time: ShopTime, subject: String) -> String {
        if let end = other.end {
            return "\(other.plate) was driven by \(other.staff.name) from \(time.format(other.start)) to \(time.format(end)) (movement #\(other.id)); choose times outside it"
        }
        return "\(other.plate) is being driven by \(other.staff.name) since \(time.format(other.start)) (movement #\(other.id)); end that movement first: driverdesk move end --plate \(other.plate)"
    }

    /// A visit's check-in must not fall inside another visit of the same vehicle.
    public static func checkCheckin(plate: String, at: Date, visits: [VisitSpan], time: ShopTime) throws {
        for visit in visits {
            if visit.checkout == nil {
                throw DeskError.refused(rule: "R1", message: "\(plate) is already in the shop since \(time.format(visit.checkin)) (visit #\(visit.id)); check it out first: driverdesk visit checkout --plate \(plate)")
            }
            if let checkout = visit.checkout, visit.checkin <= at, at <= checkout {
                throw DeskError.refused(rule: "R1", message: "\(plate) was in the shop from \(time.format(visit.checkin)) to \(time.format(checkout)) (visit #\(visit.id)); a new visit cannot start inside it")
            }
            if at < visit.checkin {
                throw DeskError.refused(rule: "R1", message: "\(plate) has a later visit from \(time.format(visit.checkin)) (visit #\(visit.id)); a back-dated check-in would overlap it")
            }
        }
    }

    /// Check-out must come after check-in and after every movement of the visit has ended.
    public static func checkCheckout(plate: String, visit: VisitSpan, at: Date, movements: [MovementSpan], time: ShopTime) throws {
        guard at > visit.checkin else {
            throw DeskError.refused(rule: "R1", message: "\(plate) was checked in at \(time.format(visit.checkin)); check-out must come after it")
        }
        if let open = movements.first(where: { $0.end == nil }) {
            throw DeskError.refused(rule: "R1", message: describeConflict(open, time: time, subject: plate))
        }
        if let last = movements.compactMap({ m in m.end.map { (m, $0) } }).max(by: { $0.1 < $1.1 }), last.1 > at {
            throw DeskError.refused(rule: "R1", message: "\(plate) was driven by \(last.0.staff.name) until \(time.format(last.1)) (movement #\(last.0.id)); check-out cannot come before that")
        }
    }
}
