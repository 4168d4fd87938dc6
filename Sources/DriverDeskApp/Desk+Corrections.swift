import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// What `move void` and `move edit` answer: the movement, and each violation whose driver R2 now names otherwise.
public struct MovementCorrectionView: Codable, Sendable {
    public var movement: MovementView
    public var voided: Bool
    public var driverChanges: [DriverChangeView]
    public var warnings: [String]
}

/// A violation whose driver a correction changed.
public struct DriverChangeView: Codable, Sendable, Equatable {
    public var violationId: Int64
    public var plate: String
    public var from: StaffRef?
    public var to: StaffRef?
}

/// What `violation handback` answers: the violation, and the text to send its owner.
public struct HandBackView: Encodable, Sendable {
    public var violation: ViolationView
    public var ownerText: String
    public var ownerPhone: String?

    enum Keys: String, CodingKey { case ownerText, ownerPhone }

    public func encode(to encoder: any Encoder) throws {
        try violation.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(ownerText, forKey: .ownerText)
        try container.encode(ownerPhone, forKey: .ownerPhone)
    }
}

/// What `violation unpay` answers: the violation, and a registration that is active again (R8 undone).
public struct UnpayView: Encodable, Sendable {
    public var violation: ViolationView
    public var registrationRestored: String?

    enum Keys: String, CodingKey { case registrationRestored }

    public func encode(to encoder: any Encoder) throws {
        try violation.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(registrationRestored, forKey: .registrationRestored)
    }
}

extension Desk {
    /// Whether a code is recorded with the driver absent on a day (R2 step 3), from the reference codes.
    func parkingCodes(_ config: Config) throws -> (String, Date) -> Bool {
        let book = try codeBook()
        let time = config.time
        return { code, at in book.lookup(code, on: time.civilDate(of: at))?.driverAbsent ?? false }
    }

    static func movementId(_ raw: String) throws -> Int64 {
        let text = raw.trimmingSpaces()
        guard let id = Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text), id > 0 else {
            throw DeskError.invalid(field: "id", reason: Message("input.movementNumber", ["raw": .text(raw)]))
        }
        return id
    }

    func correctionView(_ outcome: MovementCorrection, config: Config) throws -> MovementCorrectionView {
        let words = try catalogue(config)
        var movement = MovementView(outcome.row, time: config.time)
        movement.voided = outcome.voided
        let warnings = words.render(outcome.warnings, time: config.time)
        movement.warnings = warnings
        return MovementCorrectionView(movement: movement, voided: outcome.voided,
                                      driverChanges: outcome.changes.map { DriverChangeView(violationId: $0.violationId, plate: $0.plate, from: $0.from, to: $0.to) },
                                      warnings: warnings)
    }

    /// `move void ID --reason TEXT`: the desk its own entry within `movement.undoMinutes`, after that a manager.
    public func voidMovement(_ id: String, reason: String?) throws -> MovementCorrectionView {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            let outcome = try tx.voidMovement(try Desk.movementId(id), reason: try CorrectionRules.reason(reason), actor: actor,
                                                    isParking: try parkingCodes(config), context: context)
            return try correctionView(outcome, config: config)
        }
    }

    /// `move edit ID [--staff S] [--from T] [--to T] [--purpose P] --reason TEXT`.
    public func editMovement(_ id: String, staff: String?, from: String?, to: String?, purpose: String?, reason: String?) throws -> MovementCorrectionView {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            let number = try Desk.movementId(id)
            let edit = MovementEdit(
                staff: try staff.map { s -> String in
                    guard !s.trimmingSpaces().isEmpty else { throw DeskError.invalid(field: "staff", reason: Message("input.staff.required")) }
                    return s
                },
                start: try from.map { try instant($0, field: "from", config: config) },
                end: try to.map { try instant($0, field: "to", config: config) },
                purpose: try purpose.map { try MovementPurpose(parsing: $0) })
            guard edit.staff != nil || edit.start != nil || edit.end != nil || edit.purpose != nil else {
                throw DeskError.invalid(field: "staff", reason: Message("input.edit.nothing", ["movement": .number(Int(number))]))
            }
            let why = try CorrectionRules.reason(reason)
            let outcome = try tx.editMovement(number, edit: edit, reason: why, actor: actor, isParking: try parkingCodes(config), context: context)
            return try correctionView(outcome, config: config)
        }
    }

    /// One movement by number (its page on the web).
    public func movement(_ id: String) throws -> MovementView {
        try actor.check(.read)
        let config = try config()
        return MovementView(try database.movement(try Desk.movementId(id)), time: config.time)
    }

    /// The text to send the owner of a violation handed back, or nil when it was not handed back.
    public func handBackText(_ id: String) throws -> String? {
        try actor.check(.read)
        let config = try config()
        let row = try database.violation(try Desk.violationId(id))
        guard row.violation.status == .handedBack else { return nil }
        return try handBackText(row, config: config)
    }

    /// `move list --voided`: the voided movements too, marked.
    func voidedMovementViews(_ filter: MovementFilter, config: Config) throws -> [MovementView] {
        try database.voidedMovements(filter).map { v in
            var view = MovementView(v.row, time: config.time)
            view.voided = true
            view.voidedAt = config.time.formatISO(v.voided.voidedAt)
            view.voidedBy = v.voided.voidedBy
            view.voidReason = v.voided.voidReason
            return view
        }
    }

    /// `staff update STAFF [--name] [--phone] [--license-class] [--license-first-issued] [--license-valid-until]`.
    public func updateStaff(_ key: String, name: String?, phone: String?, licenseClass: String?, licenseFirstIssued: String?,
                            licenseValidUntil: String?) throws -> StaffView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            var change = StaffChange()
            change.name = try name.map { try Fields.name($0, field: "name") }
            if let phone { change.phone = .some(try Fields.phone(phone, field: "phone")) }
            change.licenseClass = try licenseClass.map { try LicenseClass(parsing: $0) }
            change.licenseFirstIssued = try licenseFirstIssued.map { try CivilDate(parsing: $0, field: "license-first-issued") }
            change.licenseValidUntil = try licenseValidUntil.map { try CivilDate(parsing: $0, field: "license-valid-until") }
            guard change.hasChanges else { throw DeskError.invalid(field: "name", reason: Message("input.staff.nothingToChange")) }
            let staff = try tx.updateStaff(key, change: change, context: context)
            return try staffView(staff, config: config, in: tx)
        }
    }

    /// `visit reopen --plate P --reason TEXT`: the check-out was a mistake.
    public func reopenVisit(plate: String, reason: String?) throws -> VisitView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let plate = try Plate(plate)
            let visit = try tx.reopenVisit(plate: plate, reason: try CorrectionRules.reason(reason), context: context)
            return VisitView(visit, plate: plate.text, time: config.time)
        }
    }

    /// `violation unpay ID --reason TEXT`: the payment was a mistake; R8 undone with it.
    public func unpayViolation(_ id: String, reason: String?) throws -> UnpayView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let outcome = try tx.unpayViolation(try Desk.violationId(id), reason: try CorrectionRules.reason(reason), context: context)
            return UnpayView(violation: try view(outcome.row, config: config, in: tx), registrationRestored: outcome.removalDue)
        }
    }

    /// `violation confirm ID [--reason TEXT]`: the driver R2 proposed for review is the one.
    public func confirmViolation(_ id: String, reason: String?) throws -> ViolationView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let why = try Fields.optionalText(reason, field: "reason", maxLength: 200)
            return try view(try tx.confirmViolation(try Desk.violationId(id), reason: why, context: context), config: config, in: tx)
        }
    }

    /// `violation handback ID [--reason TEXT]`: outside the shop's custody, the owner's own; with the text to send him.
    public func handBackViolation(_ id: String, reason: String?) throws -> HandBackView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let why = try Fields.optionalText(reason, field: "reason", maxLength: 200)
            let row = try tx.handBackViolation(try Desk.violationId(id), reason: why, context: context)
            return HandBackView(violation: try view(row, config: config, in: tx), ownerText: try handBackText(row, config: config), ownerPhone: row.vehicle.ownerPhone)
        }
    }

    /// The message to the owner of a violation handed back, in the shop's language.
    func handBackText(_ row: ViolationRow, config: Config) throws -> String {
        let words = try Catalogue.shipped(Language(rawValue: config.string(.uiLanguage)) ?? .zhHans)
        let v = row.violation
        return words.render(Message("handback.ownerText", [
            "owner": .text(row.vehicle.ownerName), "plate": .text(row.vehicle.plate), "at": .time(v.occurredAt),
            "location": .text(v.location ?? "—"), "what": .text(v.descriptionText ?? v.code), "shop": .text(config.shopName),
        ]), time: config.time)
    }

    /// `register unconfirm REF --reason TEXT`: the owner had not registered him after all.
    public func unconfirmRegistration(_ ref: String, reason: String?) throws -> RegistrationView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            return RegistrationView(try tx.unconfirmRegistration(ref: ref, reason: try CorrectionRules.reason(reason), context: context), config: config)
        }
    }

    /// `register unremove REF --reason TEXT`: the removal (or the cancelled invite) was a mistake.
    public func unremoveRegistration(_ ref: String, reason: String?) throws -> RegistrationView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            return RegistrationView(try tx.unremoveRegistration(ref: ref, reason: try CorrectionRules.reason(reason), context: context), config: config)
        }
    }
}
