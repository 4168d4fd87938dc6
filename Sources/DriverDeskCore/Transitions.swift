import Foundation

/// The state machine of a violation (assign, process, pay): which step is allowed from which state, and why not.
/// The store reads the facts, asks here, and applies what is allowed in the same transaction.
public enum ViolationRules {
    static func refused(_ rule: String, _ reason: Message) -> DeskError { .refusedWith(rule: rule, reasons: [reason]) }

    /// A second copy of a recorded violation (same record number, or same plate, time and code) is refused.
    public static func checkNew(existing: Int64?, sameRecordNo: Bool) throws {
        guard let existing else { return }
        if sameRecordNo { throw refused("violation", Message("violation.duplicateRecordNo", ["violation": .number(Int(existing))])) }
        throw refused("violation", Message("violation.duplicate", ["violation": .number(Int(existing))]))
    }

    /// A violation is given to another driver by hand (R2) while it is open, and also once processed or paid: that is
    /// how a correction of the driver of a settled violation is made (docs/rulebook.md, "Corrections"). Not when void
    /// or handed back to the owner.
    public static func checkAssign(id: Int64, status: ViolationStatus) throws {
        guard status == .open || status == .processed || status == .paid else {
            throw refused("R2", Message("violation.assignNotOpen", ["violation": .number(Int(id)), "status": .term("violationStatus", status.rawValue)]))
        }
    }

    /// Processing (R4), first step: only an open violation.
    public static func checkProcessable(id: Int64, status: ViolationStatus, processedAt: Date?) throws {
        switch status {
        case .open: break
        case .processed:
            throw refused("R4", Message("violation.alreadyProcessed", ["violation": .number(Int(id)), "at": .time(processedAt ?? .distantPast)]))
        case .paid: throw refused("R4", Message("violation.alreadyPaid", ["violation": .number(Int(id))]))
        case .void: throw refused("R4", Message("violation.isVoid", ["violation": .number(Int(id))]))
        case .handedBack: throw refused("R4", Message("violation.isHandedBack", ["violation": .number(Int(id))]))
        }
    }

    /// Processing (R4), second step: a driver is attributed; online only where R4 says so, and not on the day of binding.
    /// `decision` is R4's answer for the processing day (nil when processed at a window).
    public static func checkProcess(id: Int64, driver: StaffRef?, plate: String, window: Bool, decision: ChannelDecision?, day: CivilDate) throws {
        guard let driver else {
            throw refused("R2", Message("violation.nobodyAttributed", ["violation": .number(Int(id))]))
        }
        guard !window, let decision else { return }
        if decision.channel == .window {
            throw DeskError.refusedWith(rule: "R4", reasons: [Message("channel.refusedOnline", ["staff": .text(driver.name), "violation": .number(Int(id))])] + decision.reasons)
        }
        if let from = decision.onlineFrom, day < from {
            throw refused("R4", Message("violation.bindingDay", ["staff": .text(driver.name), "plate": .text(plate), "day": .day(day), "from": .day(from),
                                                                  "setting": .text("rules.noSameDayProcessing"), "violation": .number(Int(id))]))
        }
    }

    /// Paying (R7): only a processed violation, once.
    public static func checkPay(id: Int64, status: ViolationStatus, paidAt: Date?) throws {
        switch status {
        case .processed: return
        case .open: throw refused("R7", Message("violation.payNotProcessed", ["violation": .number(Int(id))]))
        case .paid: throw refused("R7", Message("violation.alreadyPaidOn", ["violation": .number(Int(id)), "at": .time(paidAt ?? .distantPast)]))
        case .void: throw refused("R7", Message("violation.payVoid", ["violation": .number(Int(id))]))
        case .handedBack: throw refused("R7", Message("violation.isHandedBack", ["violation": .number(Int(id))]))
        }
    }
}

extension RegistrationRules {
    /// R8: once a driver has paid his last unpaid fine on a car, his active registration on it is due for removal,
    /// `removal.graceDays` after that payment. The time it is due, or nil when the payment changes no registration
    /// (another fine of his on the car is still unpaid, or he has no active registration on it).
    public static func removalDue(paidAt: Date, otherUnpaidOnCar: Int, registration: RegistrationStatus?, graceDays: Int) -> Date? {
        guard otherUnpaidOnCar == 0, registration == .active else { return nil }
        return paidAt.addingTimeInterval(TimeInterval(graceDays) * 86_400)
    }

    /// Removing (R8): an invite not yet confirmed is cancelled, a live registration removed; one already over is refused.
    public static func checkRemove(ref: String, status: RegistrationStatus, removedAt: Date?, expiredAt: Date?, cancelledAt: Date?) throws {
        switch status {
        case .invited, .active, .removalDue: return
        case .removed: throw DeskError.refusedWith(rule: "R8", reasons: [Message("registration.alreadyRemoved", ["ref": .text(ref), "at": .time(removedAt ?? .distantPast)])])
        case .expired:
            throw DeskError.refusedWith(rule: "R9", reasons: [Message("registration.removeExpired", ["ref": .text(ref), "at": .time(expiredAt ?? .distantPast)])])
        case .cancelled: throw DeskError.refusedWith(rule: "R8", reasons: [Message("registration.removeCancelled", ["ref": .text(ref), "at": .time(cancelledAt ?? .distantPast)])])
        }
    }
}

/// What a scan of a car on the movements page asks for: start, end, or whichever the car needs.
public enum ScanAction: String, Sendable, CaseIterable {
    case toggle, start, end
}

extension CustodyRules {
    /// A scan ends the car's movement when asked to, or when toggling a car being driven; otherwise it starts one, and
    /// that needs the driver the clerk chose: never whoever sorts first. nil: end; else the driver to start with.
    public static func scan(_ action: ScanAction, beingDriven: Bool, chosen staff: String?) throws -> String? {
        if action == .end || (action == .toggle && beingDriven) { return nil }
        guard let staff else { throw DeskError.invalid(field: "staff", reason: Message("input.move.chooseStaff")) }
        return staff
    }

    /// Check-out needs an open visit (R1).
    public static func checkHasOpenVisit(plate: String, open: Bool) throws {
        if !open { throw refused(Message("visit.notInShop", ["plate": .text(plate)])) }
    }

    /// Ending a movement needs one in progress (R1).
    public static func checkBeingDriven(plate: String, driven: Bool) throws {
        if !driven { throw refused(Message("movement.nobodyDriving", ["plate": .text(plate)])) }
    }

    /// Only an active staff member drives customer cars.
    public static func checkDriver(_ staff: StaffRef, active: Bool) throws {
        if !active { throw DeskError.refusedWith(rule: "staff", reasons: [Message("staff.inactive", ["staff": .text(staff.name), "id": .number(Int(staff.id))])]) }
    }
}

/// What hiring a staff member found of the person with his ID number: a new person (or, on a shop's own file, the only
/// record there is), one the chain knows already, or one whose record differs from what was typed in these fields
/// (`name`, `license-class`, `license-first-issued`, `license-valid-until`): then nothing was written.
public enum StaffHiring: Sendable, Equatable {
    case hired(newPerson: Bool)
    case differs([String])
}

/// What a correction of a person's name and licence did: made, nothing to change, or refused because another shop of
/// the chain employs him too (nothing written).
public enum PersonCorrection: Sendable, Equatable {
    case corrected, unchanged, employedElsewhere
}

/// Staff and customer cars: one record per person (by ID number) and per plate; deactivation keeps history.
public enum RosterRules {
    /// A second staff member with the same ID number is refused (R12: the number is shown masked).
    public static func checkNewStaff(existing: StaffRef?, maskedIdNumber: String) throws {
        guard let existing else { return }
        throw DeskError.refusedWith(rule: "staff", reasons: [Message("staff.duplicateIdNumber", ["staff": .text(existing.name), "id": .number(Int(existing.id)), "idNumber": .text(maskedIdNumber)])])
    }

    /// Hiring on a chain by ID number: the chain keeps one record of a person, and what was typed at this desk must be
    /// it. A difference is refused naming the first field that differs, never the stored values:
    /// another shop's record of him is not this desk's to read. The sentence says which fields must match.
    public static func checkHiring(_ hiring: StaffHiring) throws {
        guard case .differs(let fields) = hiring, let first = fields.first else { return }
        throw DeskError.invalid(field: first, reason: Message("input.staff.differsFromChain"))
    }

    /// A person's name and licence are the chain's record of him: a desk corrects them only while no other shop employs
    /// him; otherwise the chain's administrator does.
    public static func checkCorrection(_ staff: StaffRef, _ correction: PersonCorrection) throws {
        guard correction == .employedElsewhere else { return }
        throw DeskError.refusedWith(rule: "staff", reasons: [Message("staff.sharedPerson", ["staff": .text(staff.name), "id": .number(Int(staff.id))])])
    }

    /// Deactivating: not twice, and not while he is driving (R1).
    public static func checkDeactivate(_ staff: StaffRef, active: Bool, driving: (plate: String, movement: Int64)?) throws {
        if !active { throw DeskError.refusedWith(rule: "staff", reasons: [Message("staff.alreadyInactive", ["staff": .text(staff.name), "id": .number(Int(staff.id))])]) }
        if let driving {
            throw DeskError.refusedWith(rule: "R1", reasons: [Message("staff.drivingNow", ["staff": .text(staff.name), "plate": .text(driving.plate), "movement": .number(Int(driving.movement))])])
        }
    }

    /// A plate is one customer car.
    public static func checkNewVehicle(existing: (plate: String, id: Int64, owner: String)?) throws {
        guard let existing else { return }
        throw DeskError.refusedWith(rule: "vehicle", reasons: [Message("vehicle.duplicate", ["plate": .text(existing.plate), "id": .number(Int(existing.id)), "owner": .text(existing.owner)])])
    }
}
