import Foundation

/// The answer to "who drove" for a vehicle at a time, with how it was found (R2).
public struct Attribution: Sendable, Equatable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case movement, parked, manual, outsideCustody, unattributed
    }

    public var kind: Kind
    public var driver: StaffRef?
    public var needsReview: Bool
    /// Every fact that decided it, as values a catalogue renders.
    public var reasons: [Message]
    /// The movement the answer rests on, when there is one.
    public var movementId: Int64?

    public init(kind: Kind, driver: StaffRef?, needsReview: Bool, reasons: [Message], movementId: Int64? = nil) {
        self.kind = kind
        self.driver = driver
        self.needsReview = needsReview
        self.reasons = reasons
        self.movementId = movementId
    }

    /// R2, steps 1 to 5, as a pure function of the vehicle's movements and visits near `time`.
    ///
    /// `movements` must hold every movement of the vehicle that lies within `slack` of `time`
    /// and the last one that ended before `time` in the visit covering it; more does no harm.
    public static func decide(
        plate: String, at instant: Date, isParking: Bool,
        movements: [MovementSpan], visits: [VisitSpan], slack: TimeInterval, time: ShopTime
    ) -> Attribution {
        /// "王磊 was driving 京A12345 at … (movement #3, road test, 10:00 to 10:30)", or "…, still driving".
        func driving(_ m: MovementSpan) -> Message {
            if let end = m.end {
                return Message("attribution.driving", ["staff": .text(m.staff.name), "plate": .text(plate), "at": .time(instant), "movement": .number(Int(m.id)), "purpose": .term("purpose", m.purpose.rawValue), "from": .time(m.start), "to": .time(end)])
            }
            return Message("attribution.drivingStill", ["staff": .text(m.staff.name), "plate": .text(plate), "at": .time(instant), "movement": .number(Int(m.id)), "purpose": .term("purpose", m.purpose.rawValue), "from": .time(m.start)])
        }

        // 1. A movement covers the time (both edges count).
        let covering = movements
            .filter { $0.start <= instant && instant <= ($0.end ?? .distantFuture) }
            .sorted { $0.start > $1.start }
        if let chosen = covering.first {
            var reasons = [driving(chosen)]
            var review = false
            if covering.count > 1 {
                review = true
                let others = covering.dropFirst().map(\.staff.name)
                reasons.append(Message("attribution.handover", ["at": .time(instant), "from": .names(others), "staff": .text(chosen.staff.name)]))
            }
            return Attribution(kind: .movement, driver: chosen.staff, needsReview: review, reasons: reasons, movementId: chosen.id)
        }

        // 2. A movement starts or ends within the slack: camera clocks drift.
        if slack > 0 {
            var nearest: (movement: MovementSpan, distance: TimeInterval, edge: String)?
            for m in movements {
                var edges = [(abs(m.start.timeIntervalSince(instant)), "started")]
                if let end = m.end { edges.append((abs(end.timeIntervalSince(instant)), "ended")) }
                for (distance, edge) in edges where distance <= slack {
                    if nearest == nil || distance < nearest!.distance { nearest = (m, distance, edge) }
                }
            }
            if let near = nearest {
                let minutes = Int((near.distance / 60).rounded(.up))
                let edgeTime = near.edge == "started" ? near.movement.start : near.movement.end!
                var reasons = [
                    Message("attribution.nearMovement", ["plate": .text(plate), "at": .time(instant), "staff": .text(near.movement.staff.name), "edge": .term("edge", near.edge), "edgeAt": .time(edgeTime), "distance": .minutes(minutes), "movement": .number(Int(near.movement.id))]),
                    Message("attribution.withinSlack", ["slack": .minutes(Int(slack / 60)), "setting": .text("attribution.slackMinutes")]),
                ]
                let others = Set(movements.filter { m in
                    m.id != near.movement.id
                        && (abs(m.start.timeIntervalSince(instant)) <= slack || m.end.map { abs($0.timeIntervalSince(instant)) <= slack } ?? false)
                }.map(\.staff.name))
                if !others.isEmpty { reasons.append(Message("attribution.alsoWithinSlack", ["names": .names(others.sorted())])) }
                return Attribution(kind: .movement, driver: near.movement.staff, needsReview: true, reasons: reasons, movementId: near.movement.id)
            }
        }

        guard let visit = visits.first(where: { $0.covers(instant) }) else {
            // 5. Not in the shop's custody.
            return Attribution(kind: .outsideCustody, driver: nil, needsReview: false,
                               reasons: [Message("attribution.outsideCustody", ["plate": .text(plate), "at": .time(instant)])])
        }
        let custody = Message("attribution.inCustody", ["plate": .text(plate), "at": .time(instant), "visit": .number(Int(visit.id)), "checkin": .time(visit.checkin)])
        let lastBefore = movements
            .filter { m in m.end.map { $0 < instant && $0 >= visit.checkin } ?? false }
            .max { $0.end! < $1.end! }

        // 3. A parking violation while in custody: whoever parked it last.
        if isParking, let parker = lastBefore {
            return Attribution(
                kind: .parked, driver: parker.staff, needsReview: false,
                reasons: [custody, Message("attribution.parked", ["staff": .text(parker.staff.name), "movement": .number(Int(parker.id)), "ended": .time(parker.end!)])],
                movementId: parker.id
            )
        }

        // 4. In custody, nobody driving.
        var reasons = [custody, Message("attribution.noMovement")]
        if let parker = lastBefore {
            reasons.append(Message("attribution.lastMoved", ["staff": .text(parker.staff.name), "movement": .number(Int(parker.id)), "ended": .time(parker.end!)]))
        } else {
            reasons.append(Message("attribution.nobodyMovedYet"))
        }
        return Attribution(kind: .unattributed, driver: nil, needsReview: true, reasons: reasons)
    }
}
