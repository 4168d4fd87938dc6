import Foundation

/// Corrections (docs/rulebook.md, "Corrections"): every record can be corrected by a use case with a reason, never
/// silently. Each function here decides one correction from the facts the store read; the store applies it with its
/// audit entry (before, after, reason) in the same transaction.
public enum CorrectionRules {
    static func refused(_ rule: String, _ reason: Message) -> DeskError { .refusedWith(rule: rule, reasons: [reason]) }

    /// A correction carries the reason a person gave: 1 to 200 characters.
    public static func reason(_ raw: String?, field: String = "reason") throws -> String {
        guard let text = try Fields.optionalText(raw, field: field, maxLength: 200) else {
            throw DeskError.invalid(field: field, reason: Message("input.reason.required"))
        }
        return text
    }

    /// Who may void or edit a movement: whoever recorded it, for `movement.undoMinutes` after recording it; a manager
    /// (and the command line, run by the shop's administrator) at any time.
    public static func checkMovementCorrection(actor: Actor, operatorName: String, movementId: Int64, recordedBy: String?, recordedAt: Date?,
                                               now: Date, undoMinutes: Int) throws {
        switch actor {
        case .administrator: return
        case .account(_, let role, _) where role.allows(.manage): return
        case .account:
            if let recordedBy, let recordedAt, recordedBy == operatorName, now.timeIntervalSince(recordedAt) <= TimeInterval(undoMinutes * 60) { return }
            throw refused("undo", Message("movement.undoOver", ["movement": .number(Int(movementId)), "minutes": .minutes(undoMinutes)]))
        }
    }

    /// The movement a correction leaves: an edit changes only what was given; R1 is checked by the caller.
    public static func edited(_ movement: Movement, staffId: Int64?, start: Date?, end: Date??, purpose: MovementPurpose?) throws -> Movement {
        var changed = movement
        if let staffId { changed.staffId = staffId }
        if let start { changed.startAt = start }
        if let end { changed.endAt = end }
        if let purpose { changed.purpose = purpose }
        guard changed != movement else {
            throw DeskError.invalid(field: "staff", reason: Message("input.edit.nothing", ["movement": .number(Int(movement.id ?? 0))]))
        }
        return changed
    }

    /// R2 again for the violations a corrected movement touched: the open ones take the new answer; one already
    /// processed or paid whose driver would change refuses the whole correction, naming every such violation (it is
    /// corrected by hand, `violation assign`, by a manager). Manual assignments, handed-back and void ones stay.
    /// Returns each violation that changes, with its driver before.
    public static func reattribute(_ decided: [(violation: Violation, attribution: Attribution)]) throws -> [(violation: Violation, driverBefore: Int64?)] {
        var changes: [(violation: Violation, driverBefore: Int64?)] = []
        var refusals: [Message] = []
        for (violation, attribution) in decided {
            guard violation.attribution != .manual, violation.status != .void, violation.status != .handedBack else { continue }
            if violation.status == .processed || violation.status == .paid {
                if attribution.driver?.id != violation.driverId {
                    refusals.append(Message("correction.violationSettled", ["violation": .number(Int(violation.id ?? 0)),
                                                                            "status": .term("violationStatus", violation.status.rawValue)]))
                }
                continue
            }
            var next = violation
            next.driverId = attribution.driver?.id
            next.attribution = attribution.kind
            next.needsReview = attribution.needsReview
            next.movementId = attribution.movementId
            next.reasons = Message.encodeList(attribution.reasons)
            if next != violation { changes.append((next, violation.driverId)) }
        }
        if !refusals.isEmpty { throw DeskError.refusedWith(rule: "R2", reasons: refusals) }
        return changes
    }
}

extension ViolationRules {
    /// The review gate: a violation whose driver is not decided (R2 said `needsReview`, or nobody) cannot be processed
    /// or paid until someone decides (`violation assign`, or `violation confirm` of the proposed driver).
    public static func checkDecided(id: Int64, needsReview: Bool, driver: StaffRef?) throws {
        if driver == nil { throw refused("review", Message("violation.nobodyAttributed", ["violation": .number(Int(id))])) }
        if needsReview { throw refused("review", Message("violation.needsDecision", ["violation": .number(Int(id)), "staff": .text(driver!.name)])) }
    }

    /// `violation confirm`: accepts the driver R2 proposed for review; only an open violation that needs review and names one.
    public static func checkConfirm(id: Int64, status: ViolationStatus, needsReview: Bool, driver: StaffRef?) throws {
        guard status == .open else {
            throw refused("R2", Message("violation.assignNotOpen", ["violation": .number(Int(id)), "status": .term("violationStatus", status.rawValue)]))
        }
        guard let driver else { throw refused("R2", Message("violation.confirmNobody", ["violation": .number(Int(id))])) }
        guard needsReview else { throw refused("R2", Message("violation.confirmNotNeeded", ["violation": .number(Int(id)), "staff": .text(driver.name)])) }
    }

    /// `violation handback`: only an open violation outside the shop's custody (R2 step 5) is the owner's own.
    public static func checkHandback(id: Int64, status: ViolationStatus, attribution: Attribution.Kind) throws {
        guard status == .open else {
            throw refused("R2", Message("violation.handbackNotOpen", ["violation": .number(Int(id)), "status": .term("violationStatus", status.rawValue)]))
        }
        guard attribution == .outsideCustody else {
            throw refused("R2", Message("violation.handbackInCustody", ["violation": .number(Int(id)), "attribution": .term("attribution", attribution.rawValue)]))
        }
    }

    /// `violation pay` (R7): the violation paid, with what was paid, the late fee of the day, how and by whom (the checks
    /// come first: `checkPay`, `checkDecided`, `FeeRules.checkPayment`).
    public static func paid(_ violation: Violation, at: Date, paidFen: Int, lateFeeFen: Int, method: PaymentMethod, payer: Payer) -> Violation {
        var paid = violation
        paid.status = .paid
        paid.paidAt = at
        paid.paidFen = paidFen
        paid.lateFeeFen = lateFeeFen
        paid.payMethod = method
        paid.payer = payer
        return paid
    }

    /// `violation unpay`: only a paid violation; it goes back to processed, as it was before the payment.
    public static func unpaid(_ violation: Violation) throws -> Violation {
        guard violation.status == .paid else {
            throw refused("R7", Message("violation.unpayNotPaid", ["violation": .number(Int(violation.id ?? 0)), "status": .term("violationStatus", violation.status.rawValue)]))
        }
        var back = violation
        back.status = .processed
        back.paidAt = nil
        back.paidFen = nil
        back.lateFeeFen = nil
        back.payMethod = nil
        back.payer = nil
        return back
    }
}

extension FeeRules {
    /// R7: 12123 takes the whole fine; a payment below it is refused. A late fee that differs from DriverDesk's count is
    /// accepted (the difference is kept: paid − fine − late fee).
    public static func checkPayment(id: Int64, paidFen: Int, fineFen: Int) throws {
        guard paidFen >= fineFen else {
            throw DeskError.refusedWith(rule: "R7", reasons: [Message("payment.belowFine", ["violation": .number(Int(id)), "paid": .fen(paidFen), "fine": .fen(fineFen)])])
        }
    }

    /// What was paid beyond the fine and DriverDesk's late fee (negative: less late fee than counted), or nil.
    public static func difference(paidFen: Int?, fineFen: Int, lateFeeFen: Int?) -> Int? {
        guard let paidFen, let lateFeeFen else { return nil }
        let difference = paidFen - fineFen - lateFeeFen
        return difference == 0 ? nil : difference
    }
}

extension RegistrationRules {
    /// R8 undone: once a payment is undone the driver owes something on the car again, so a registration of his that
    /// the payment made due for removal is active again. nil: nothing changes.
    public static func afterUnpay(_ status: RegistrationStatus) -> RegistrationStatus? {
        status == .removalDue ? .active : nil
    }

    /// `register unconfirm`: only an active registration goes back to invited (the owner has not registered him after all).
    public static func checkUnconfirm(ref: String, status: RegistrationStatus) throws {
        guard status == .active else {
            throw DeskError.refusedWith(rule: "R3", reasons: [Message("registration.unconfirmNotActive", ["ref": .text(ref), "status": .term("registrationStatus", status.rawValue)])])
        }
    }

    /// `register unremove`: the state before the removal: due for removal (when it was), else active; a cancelled
    /// invite is invited again. `otherLive` is another live registration of the same driver on the same car.
    public static func unremoved(_ registration: Registration, otherLive: String?) throws -> Registration {
        var back = registration
        switch registration.status {
        case .removed:
            back.status = registration.removalDueAt != nil ? .removalDue : .active
            back.removedAt = nil
        case .cancelled:
            back.status = .invited
            back.cancelledAt = nil
        default:
            throw DeskError.refusedWith(rule: "R8", reasons: [Message("registration.unremoveNotRemoved", ["ref": .text(registration.ref), "status": .term("registrationStatus", registration.status.rawValue)])])
        }
        if let otherLive {
            throw DeskError.refusedWith(rule: "R3", reasons: [Message("registration.unremoveOtherLive", ["ref": .text(registration.ref), "other": .text(otherLive)])])
        }
        return back
    }
}

extension VisitRules {
    /// `visit reopen`: the car's last visit, checked out, comes back into the shop's custody (its check-out undone);
    /// refused while another visit is open or a later one exists.
    public static func checkReopen(plate: String, last: VisitSpan?, open: Bool) throws {
        if open { throw DeskError.refusedWith(rule: "R1", reasons: [Message("visit.reopenInShop", ["plate": .text(plate)])]) }
        guard let last, last.checkout != nil else {
            throw DeskError.refusedWith(rule: "R1", reasons: [Message("visit.reopenNone", ["plate": .text(plate)])])
        }
    }
}
