import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopTransaction {
    /// `move void`: a movement recorded by mistake leaves the lists and the rules (R1, R2); R2 is decided again for
    /// the violations around it, in the same transaction (docs/rulebook.md, "Corrections").
    func voidMovement(_ id: Int64, reason: String, actor: Actor, isParking: @escaping (String, Date) -> Bool,
                             context: WriteContext) throws -> MovementCorrection {
        let (movement, config) = try correctable(id, actor: actor, context: context)
        guard let vehicle = try vehicles(ids: [movement.vehicleId])[movement.vehicleId], let staff = try self.staff(id: movement.staffId),
              let visit = try self.visit(id: movement.visitId) else {
            throw DeskError.storage(message: "movement #\(id) has no car, driver or visit")
        }
        let voided = VoidedMovement(movement, at: context.now, by: context.operator, reason: reason)
        try void(voided)
        try audit(context, action: "movement.void", subject: "movement #\(id) \(vehicle.plate) \(staff.name)",
                     before: Audit.json(movement), after: Audit.json(voided))
        let changes = try reattribute(vehicle: vehicle, visits: [visit], config: config, isParking: isParking, reason: reason, context: context)
        let row = MovementRow(span: MovementSpan(id: id, plate: vehicle.plate, staff: staff.ref, start: movement.startAt, end: movement.endAt,
                                                 purpose: movement.purpose), visitId: visit.id!)
        return MovementCorrection(row: row, voided: true, changes: changes, warnings: [])
    }

    /// `move edit`: another driver, start, end or purpose; R1 and R13 hold for the edited movement, and R2 is decided
    /// again for the violations around its old and new times, in the same transaction.
    func editMovement(_ id: Int64, edit: MovementEdit, reason: String, actor: Actor, isParking: @escaping (String, Date) -> Bool,
                             context: WriteContext) throws -> MovementCorrection {
        let (movement, config) = try correctable(id, actor: actor, context: context)
        guard let vehicle = try vehicles(ids: [movement.vehicleId])[movement.vehicleId], let oldVisit = try visit(id: movement.visitId) else {
            throw DeskError.storage(message: "movement #\(id) has no car or visit")
        }
        var staff = try self.staff(id: movement.staffId)!
        if let key = edit.staff {
            staff = try resolveStaff(key)
            try CustodyRules.checkDriver(staff.ref, active: staff.active)
        }
        var changed = try CorrectionRules.edited(movement, staffId: staff.id, start: edit.start, end: edit.end.map { Optional($0) }, purpose: edit.purpose)
        let visit = try self.visit(vehicleId: vehicle.id!, covering: changed.startAt)
        let vehicleNear = try spansNear(vehicleId: vehicle.id!, start: changed.startAt, end: changed.endAt)
        let staffNear = try spansNear(staffId: staff.id!, start: changed.startAt, end: changed.endAt)
            + movementsElsewhere(driver: staff, start: changed.startAt, end: changed.endAt)
        try CustodyRules.checkMovement(id: id, plate: vehicle.plate, staff: staff.ref, start: changed.startAt, end: changed.endAt, visit: visit?.span,
                                       vehicleMovements: vehicleNear, staffMovements: staffNear, time: config.time)
        let warnings = try DrivingRules.check(driver: staff, plate: vehicle.plate, size: vehicle.size, purpose: changed.purpose,
                                              day: config.time.civilDate(of: changed.startAt), checkedPurposes: DrivingRules.checkedPurposes(config))
        changed.visitId = visit!.id!
        try update(changed)
        try audit(context, action: "movement.edit", subject: "movement #\(id) \(vehicle.plate) \(staff.name)",
                     before: Audit.json(movement), after: Audit.json(changed, reason: reason))
        let visits = oldVisit.id == visit!.id ? [oldVisit] : [oldVisit, visit!]
        let changes = try reattribute(vehicle: vehicle, visits: visits, config: config, isParking: isParking, reason: reason, context: context)
        let row = MovementRow(span: MovementSpan(id: id, plate: vehicle.plate, staff: staff.ref, start: changed.startAt, end: changed.endAt,
                                                 purpose: changed.purpose), visitId: visit!.id!)
        return MovementCorrection(row: row, voided: false, changes: changes, warnings: warnings)
    }

    /// Voided movements, newest first, with plate and driver.
    func voidedMovements(_ filter: MovementFilter) throws -> [VoidedMovementRow] {
        let voided = try voidedMovements(vehicleId: filter.vehicleId, staffId: filter.staffId, limit: nil).filter { v in
            (filter.from.map { f in (v.endAt ?? .distantFuture) >= f } ?? true) && (filter.to.map { v.startAt <= $0 } ?? true)
        }
        let limited = filter.limit.map { Array(voided.prefix($0)) } ?? voided
        let vehicles = try self.vehicles(ids: Set(limited.map(\.vehicleId)))
        let staff = try self.staff(ids: Set(limited.map(\.staffId)))
        return limited.map { v in
            VoidedMovementRow(row: MovementRow(span: MovementSpan(id: v.id, plate: vehicles[v.vehicleId]?.plate ?? "", staff: staff[v.staffId]?.ref ?? StaffRef(id: v.staffId, name: ""),
                                                                  start: v.startAt, end: v.endAt, purpose: v.purpose), visitId: v.visitId), voided: v)
        }
    }

    /// `staff update`: name, phone and licence corrected (a renewed licence); the ID number stays.
    func updateStaff(_ key: String, change: StaffChange, context: WriteContext) throws -> Staff {
        var staff = try resolveStaff(key)
        let before = staff.auditJSON
        if let value = change.name { staff.name = value }
        if let value = change.phone { staff.phone = value }
        if let value = change.licenseClass { staff.licenseClass = value }
        if let value = change.licenseFirstIssued { staff.licenseFirstIssued = value }
        if let value = change.licenseValidUntil { staff.licenseValidUntil = value }
        try Fields.licenceDates(firstIssued: staff.licenseFirstIssued, validUntil: staff.licenseValidUntil,
                                born: try IDNumber(staff.idNumber).birthDate, today: try config().time.civilDate(of: context.now))
        try RosterRules.checkCorrection(staff.ref, try correctPerson(staff, context: context))
        try update(staff)
        try audit(context, action: "staff.update", subject: "staff #\(staff.id!) \(staff.name)", before: before, after: staff.auditJSON)
        return staff
    }

    /// `visit reopen`: the car's last visit is open again (its check-out was a mistake).
    func reopenVisit(plate: Plate, reason: String, context: WriteContext) throws -> Visit {
        let vehicle = try resolveVehicle(plate)
        let last = try visits(vehicleId: vehicle.id!, limit: 1).first
        try VisitRules.checkReopen(plate: vehicle.plate, last: last?.span, open: try openVisit(vehicleId: vehicle.id!) != nil)
        var visit = last!
        let before = Audit.json(visit)
        visit.checkoutAt = nil
        try update(visit)
        try audit(context, action: "visit.reopen", subject: "visit #\(visit.id!) \(vehicle.plate)", before: before, after: Audit.json(visit, reason: reason))
        return visit
    }

    /// `violation unpay`: the payment was a mistake; the violation is processed and unpaid again, and a registration
    /// the payment made due for removal is active again (R8).
    func unpayViolation(_ id: Int64, reason: String, context: WriteContext) throws -> ViolationOutcome {
        let violation = try fetchViolation(id)
        let back = try ViolationRules.unpaid(violation)
        try update(back)
        let row = try violationRow(back)
        try audit(context, action: "violation.unpay", subject: "violation #\(id) \(row.vehicle.plate)", before: Audit.json(violation), after: Audit.json(back, reason: reason))
        var restored: String?
        if let driverId = back.driverId, var registration = try self.registration(vehicleId: back.vehicleId, staffId: driverId),
           let status = RegistrationRules.afterUnpay(registration.status) {
            let registrationBefore = Audit.json(registration)
            registration.status = status
            registration.removalDueAt = nil
            try update(registration)
            try audit(context, action: "registration.removalUndone", subject: "\(registration.ref) \(row.vehicle.plate)",
                         before: registrationBefore, after: Audit.json(registration, reason: reason))
            restored = registration.ref
        }
        return ViolationOutcome(row: row, warnings: [], removalDue: restored)
    }

    /// `violation confirm`: the proposed driver of a violation that needed review is the one (R2); audited.
    func confirmViolation(_ id: Int64, reason: String?, context: WriteContext) throws -> ViolationRow {
        var violation = try fetchViolation(id)
        let row = try violationRow(violation)
        try ViolationRules.checkConfirm(id: id, status: violation.status, needsReview: violation.needsReview, driver: row.driver?.ref)
        let before = Audit.json(violation)
        violation.needsReview = false
        violation.assignedBy = context.operator
        violation.assignedAt = context.now
        violation.assignReason = reason
        var reasons = Message.decodeList(violation.reasons)
        reasons.append(Message("attribution.confirmed", ["staff": .text(row.driver!.name), "operator": .text(context.operator)]))
        violation.reasons = Message.encodeList(reasons)
        try update(violation)
        try audit(context, action: "violation.confirm", subject: "violation #\(id) → \(row.driver!.name)", before: before, after: Audit.json(violation))
        return try violationRow(violation)
    }

    /// `violation handback`: a violation outside the shop's custody is the owner's own; it leaves every to-do list.
    func handBackViolation(_ id: Int64, reason: String?, context: WriteContext) throws -> ViolationRow {
        var violation = try fetchViolation(id)
        try ViolationRules.checkHandback(id: id, status: violation.status, attribution: violation.attribution)
        let before = Audit.json(violation)
        violation.status = .handedBack
        violation.handedBackAt = context.now
        violation.handBackReason = reason
        try update(violation)
        let row = try violationRow(violation)
        try audit(context, action: "violation.handback", subject: "violation #\(id) \(row.vehicle.plate)", before: before, after: Audit.json(violation))
        return row
    }

    /// `register unconfirm`: the owner had not registered him after all; the registration is an invite again.
    func unconfirmRegistration(ref raw: String, reason: String, context: WriteContext) throws -> RegistrationRow {
        var row = try resolveRegistration(raw)
        try RegistrationRules.checkUnconfirm(ref: row.registration.ref, status: row.registration.status)
        let before = Audit.json(row.registration)
        row.registration.status = .invited
        row.registration.activatedAt = nil
        try update(row.registration)
        try audit(context, action: "registration.unconfirm", subject: "\(row.registration.ref) \(row.vehicle.plate) \(row.staff.name)",
                     before: before, after: Audit.json(row.registration, reason: reason))
        return row
    }

    /// `register unremove`: the removal (or the cancelled invite) was a mistake; the state before it comes back.
    func unremoveRegistration(ref raw: String, reason: String, context: WriteContext) throws -> RegistrationRow {
        var row = try resolveRegistration(raw)
        try lockDriver(row.staff)
        let other = try registrations(RegistrationQuery(vehicleId: row.vehicle.id!, staffId: row.staff.id!, liveOnly: true))
            .first { $0.id != row.registration.id }
        let before = Audit.json(row.registration)
        row.registration = try RegistrationRules.unremoved(row.registration, otherLive: other?.ref)
        try update(row.registration)
        try audit(context, action: "registration.unremove", subject: "\(row.registration.ref) \(row.vehicle.plate) \(row.staff.name)",
                     before: before, after: Audit.json(row.registration, reason: reason))
        return row
    }
}

extension ShopStore {
    /// `move void`: a movement recorded by mistake leaves the lists and the rules (R1, R2); R2 is decided again for
    /// the violations around it, in the same transaction (docs/rulebook.md, "Corrections").
    func voidMovement(_ id: Int64, reason: String, actor: Actor, isParking: @escaping (String, Date) -> Bool,
                             context: WriteContext) throws -> MovementCorrection {
        try writing { tx in try tx.voidMovement(id, reason: reason, actor: actor, isParking: isParking, context: context) }
    }

    /// `move edit`: another driver, start, end or purpose; R1 and R13 hold for the edited movement, and R2 is decided
    /// again for the violations around its old and new times, in the same transaction.
    func editMovement(_ id: Int64, edit: MovementEdit, reason: String, actor: Actor, isParking: @escaping (String, Date) -> Bool,
                             context: WriteContext) throws -> MovementCorrection {
        try writing { tx in try tx.editMovement(id, edit: edit, reason: reason, actor: actor, isParking: isParking, context: context) }
    }

    /// Voided movements, newest first, with plate and driver.
    func voidedMovements(_ filter: MovementFilter) throws -> [VoidedMovementRow] {
        try reading { tx in try tx.voidedMovements(filter) }
    }

    /// `staff update`: name, phone and licence corrected (a renewed licence); the ID number stays.
    func updateStaff(_ key: String, change: StaffChange, context: WriteContext) throws -> Staff {
        try writing { tx in try tx.updateStaff(key, change: change, context: context) }
    }

    /// `visit reopen`: the car's last visit is open again (its check-out was a mistake).
    func reopenVisit(plate: Plate, reason: String, context: WriteContext) throws -> Visit {
        try writing { tx in try tx.reopenVisit(plate: plate, reason: reason, context: context) }
    }

    /// `violation unpay`: the payment was a mistake; the violation is processed and unpaid again, and a registration
    /// the payment made due for removal is active again (R8).
    func unpayViolation(_ id: Int64, reason: String, context: WriteContext) throws -> ViolationOutcome {
        try writing { tx in try tx.unpayViolation(id, reason: reason, context: context) }
    }

    /// `violation confirm`: the proposed driver of a violation that needed review is the one (R2); audited.
    func confirmViolation(_ id: Int64, reason: String?, context: WriteContext) throws -> ViolationRow {
        try writing { tx in try tx.confirmViolation(id, reason: reason, context: context) }
    }

    /// `violation handback`: a violation outside the shop's custody is the owner's own; it leaves every to-do list.
    func handBackViolation(_ id: Int64, reason: String?, context: WriteContext) throws -> ViolationRow {
        try writing { tx in try tx.handBackViolation(id, reason: reason, context: context) }
    }

    /// `register unconfirm`: the owner had not registered him after all; the registration is an invite again.
    func unconfirmRegistration(ref raw: String, reason: String, context: WriteContext) throws -> RegistrationRow {
        try writing { tx in try tx.unconfirmRegistration(ref: raw, reason: reason, context: context) }
    }

    /// `register unremove`: the removal (or the cancelled invite) was a mistake; the state before it comes back.
    func unremoveRegistration(ref raw: String, reason: String, context: WriteContext) throws -> RegistrationRow {
        try writing { tx in try tx.unremoveRegistration(ref: raw, reason: reason, context: context) }
    }
}

extension ShopTransaction {
    /// The movement, if this person may correct it now (the desk its own entry within `movement.undoMinutes`).
    func correctable(_ id: Int64, actor: Actor, context: WriteContext) throws -> (Movement, Config) {
        guard let movement = try movement(id: id) else {
            throw DeskError.notFound(field: "id", reason: Message("notFound.movement", ["movement": .number(Int(id))]))
        }
        let config = try config()
        let undo = config.int(.movementUndoMinutes)
        // Who recorded it, when: its first audit entry, looked for only within the undo window (older: a manager's).
        let recorded = try auditEntries(AuditQuery(since: context.now.addingTimeInterval(-TimeInterval(undo * 60 + 1)), action: "movement"))
            .first { ($0.action == "movement.start" || $0.action == "movement.log") && $0.subject.hasPrefix("movement #\(id) ") }
        try CorrectionRules.checkMovementCorrection(actor: actor, operatorName: context.operator, movementId: id, recordedBy: recorded?.operator,
                                                    recordedAt: recorded?.at, now: context.now, undoMinutes: undo)
        return (movement, config)
    }

    /// R2 again for the car's violations during `visits` (and the slack around them); applies and audits each change.
    func reattribute(vehicle: Vehicle, visits: [Visit], config: Config, isParking: (String, Date) -> Bool, reason: String,
                     context: WriteContext) throws -> [DriverChange] {
        var found: [Int64: Violation] = [:]
        for visit in visits {
            let from = visit.checkinAt.addingTimeInterval(-config.slack)
            let to = (visit.checkoutAt ?? Date(timeIntervalSince1970: 4_102_444_800)).addingTimeInterval(config.slack)
            for violation in try violations(vehicleId: vehicle.id!, occurredFrom: from, to: to) { found[violation.id!] = violation }
        }
        let decided = try found.values.sorted { $0.id! < $1.id! }.map { violation in
            (violation, try attribution(vehicleId: vehicle.id!, plate: vehicle.plate, at: violation.occurredAt,
                                        isParking: isParking(violation.code, violation.occurredAt), config: config))
        }
        let changes = try CorrectionRules.reattribute(decided)
        let names = try staff(ids: Set(changes.flatMap { [$0.violation.driverId, $0.driverBefore].compactMap { $0 } }))
        var result: [DriverChange] = []
        for change in changes {
            try update(change.violation)
            try audit(context, action: "violation.reattribute", subject: "violation #\(change.violation.id!) \(vehicle.plate)",
                      before: Audit.json(found[change.violation.id!]!), after: Audit.json(change.violation, reason: reason))
            if change.violation.driverId != change.driverBefore {
                result.append(DriverChange(violationId: change.violation.id!, plate: vehicle.plate, from: change.driverBefore.flatMap { names[$0]?.ref },
                                           to: change.violation.driverId.flatMap { names[$0]?.ref }))
            }
        }
        return result
    }
}

extension Audit {
    /// A corrected record as the audit keeps it: its values and the reason given for the correction.
    static func json<T: Encodable>(_ value: T, reason: String) -> String {
        guard let data = json(value).data(using: .utf8), var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return json(value)
        }
        object["reason"] = reason
        guard let out = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return json(value) }
        return String(decoding: out, as: UTF8.self)
    }
}
