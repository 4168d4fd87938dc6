import Foundation

/// The answer to "who drove" for a vehicle at a time, with how it was found (R2).
public struct Attribution: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case movement, parked, manual, outsideCustody, unattributed
    }

    public var kind: Kind
    public var driver: StaffRef?
    public var needsReview: Bool
    /// Every fact that decided it, in words.
    public var reasons: [String]
    /// The movement the answer rests on, when there is one.
    public var movementId: Int64?

    public init(kind: Kind, driver: StaffRef?, needsReview: Bool, reasons: [String], movementId: Int64? = nil) {
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
        let when = time.format(instant)
        func span(_ m: MovementSpan) -> String {
            let end = m.end.map { time.format($0) } ?? "now (still driving)"
            return "movement #\(m.id), \(m.purpose.rawValue), \(time.format(m.start)) to \(end)"
        }

        // 1. A movement covers the time (both edges count).
        let covering = movements
            .filter { $0.start <= instant && instant <= ($0.end ?? .distantFuture) }
            .sorted { $0.start > $1.start }
        if let chosen = covering.first {
            var reasons = ["\(chosen.staff.name) was driving \(plate) at \(when) (\(span(chosen)))."]
            var review = false
            if covering.count > 1 {
                review = true
                let others = covering.dropFirst().map(\.staff.name).joined(separator: ", ")
                reasons.append("\(when) is the handover from \(others) to \(chosen.staff.name); check the camera photo.")
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
                    "No movement of \(plate) covers \(when), but \(near.movement.staff.name)'s \(near.edge) at \(time.format(edgeTime)), \(minutes) min away (\(span(near.movement))).",
                    "Within the \(Int(slack / 60))-minute slack for camera clocks (attribution.slackMinutes): check the camera photo.",
                ]
                let others = Set(movements.filter { m in
                    m.id != near.movement.id
                        && (abs(m.start.timeIntervalSince(instant)) <= slack || m.end.map { abs($0.timeIntervalSince(instant)) <= slack } ?? false)
                }.map(\.staff.name))
                if !others.isEmpty { reasons.append("Also within the slack: \(others.sorted().joined(separator: ", ")).") }
                return Attribution(kind: .movement, driver: near.movement.staff, needsReview: true, reasons: reasons, movementId: near.movement.id)
            }
        }

        guard let visit = visits.first(where: { $0.covers(instant) }) else {
            // 5. Not in the shop's custody.
            let reason = "\(plate) was not in the shop at \(when): no visit covers that time, so it is the owner's own matter."
            return Attribution(kind: .outsideCustody, driver: nil, needsReview: false, reasons: [reason])
        }
        let custody = "\(plate) was in the shop at \(when) (visit #\(visit.id), checked in \(time.format(visit.checkin)))."
        let lastBefore = movements
            .filter { m in m.end.map { $0 < instant && $0 >= visit.checkin } ?? false }
            .max { $0.end! < $1.end! }

        // 3. A parking violation while in custody: whoever parked it last.
        if isParking, let parker = lastBefore {
            return Attribution(
                kind: .parked, driver: parker.staff, needsReview: false,
                reasons: [custody, "A parking violation: \(parker.staff.name) parked it last, ending \(span(parker))."],
                movementId: parker.id
            )
        }

        // 4. In custody, nobody driving.
        var reasons = [custody, "In custody but no movement logged at that time: the front desk assigns it by hand (driverdesk violation assign)."]
        if let parker = lastBefore {
            reasons.append("Last moved by \(parker.staff.name), who ended \(span(parker)).")
        } else {
            reasons.append("Nobody had moved it yet in this visit.")
        }
        return Attribution(kind: .unattributed, driver: nil, needsReview: true, reasons: reasons)
    }
}
