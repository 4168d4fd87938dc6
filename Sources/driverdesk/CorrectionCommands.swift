import ArgumentParser
import DriverDeskApp

// Corrections (docs/rulebook.md, "Corrections"): each undoes or changes one record, with a reason, audited.

extension DriverDeskCommand.MoveCommand {
    struct Void: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void", abstract: "A movement recorded by mistake leaves the lists and the rules (R1, R2); who drove is decided again.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The movement number.") var id: String
        @Option(help: "Why it is voided.") var reason: String?

        func run() throws {
            let view = try global.desk().voidMovement(id, reason: reason)
            try global.output.print(view) {
                let m = view.movement
                return ([Voice.say(Message("cli.move.voided", ["movement": .number(Int(m.id)), "plate": .text(m.plate), "staff": .text(m.staff.name)]))]
                    + CorrectionText.changes(view.driverChanges)).joined(separator: "\n")
            }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit", abstract: "Correct a movement's driver, times or purpose; R1 and R13 hold, and who drove is decided again.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The movement number.") var id: String
        @Option(help: "The staff member who really drove.") var staff: String?
        @Option(help: "When it really started.") var from: String?
        @Option(help: "When it really ended.") var to: String?
        @Option(help: "road-test, parking, delivery, pickup or other.") var purpose: String?
        @Option(help: "Why it is corrected.") var reason: String?

        func run() throws {
            let view = try global.desk().editMovement(id, staff: staff, from: from, to: to, purpose: purpose, reason: reason)
            for warning in view.warnings { Output.warn(warning) }
            try global.output.print(view) {
                let m = view.movement
                return ([Voice.say(Message("cli.move.edited", ["movement": .number(Int(m.id)), "plate": .text(m.plate), "staff": .text(m.staff.name),
                                                               "from": .text(short(m.startAt)), "to": .text(m.endAt.map(short) ?? "…"), "purpose": .term("purpose", m.purpose)]))]
                    + CorrectionText.changes(view.driverChanges)).joined(separator: "\n")
            }
        }
    }
}

extension DriverDeskCommand.StaffCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Correct a staff member's name, phone or licence (a renewed licence). The ID number stays.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The staff member's number or unique name.") var staff: String
        @Option(help: "The name as on the ID card.") var name: String?
        @Option(help: "Mobile (11 digits) or landline; empty to clear.") var phone: String?
        @Option(help: "Licence class (准驾车型), e.g. C1.") var licenseClass: String?
        @Option(help: "The licence's first-issue date (scoring cycles start on its anniversary).") var licenseFirstIssued: String?
        @Option(help: "The licence is valid until this date.") var licenseValidUntil: String?

        func run() throws {
            let s = try global.desk().updateStaff(staff, name: name, phone: phone, licenseClass: licenseClass, licenseFirstIssued: licenseFirstIssued,
                                                  licenseValidUntil: licenseValidUntil)
            try global.output.print(s) { Voice.say(Message("cli.staff.updated", ["id": .number(Int(s.id)), "name": .text(s.name), "class": .text(s.licenseClass), "until": .text(s.licenseValidUntil)])) }
        }
    }
}

extension DriverDeskCommand.VisitCommand {
    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Undo a check-out: the car's last visit is open again (a manager).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The plate.") var plate: String
        @Option(help: "Why the check-out is undone.") var reason: String?

        func run() throws {
            let visit = try global.desk().reopenVisit(plate: plate, reason: reason)
            try global.output.print(visit) { Voice.say(Message("cli.visit.reopened", ["plate": .text(visit.plate), "visit": .number(Int(visit.id)), "since": .text(short(visit.checkinAt))])) }
        }
    }
}

extension DriverDeskCommand.ViolationCommand {
    struct Unpay: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unpay", abstract: "Undo a payment recorded by mistake (a manager); R8 is undone with it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The violation number.") var id: String
        @Option(help: "Why the payment is undone.") var reason: String?

        func run() throws {
            let view = try global.desk().unpayViolation(id, reason: reason)
            try global.output.print(view) {
                var lines = [Voice.say(Message("cli.violation.unpaid", ["id": .number(Int(view.violation.id))]))]
                if let ref = view.registrationRestored { lines.append(Voice.say(Message("cli.register.activeAgain", ["ref": .text(ref)]))) }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "confirm", abstract: "Accept the driver proposed for a violation that needs review (audited).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The violation number.") var id: String
        @Option(help: "Why (optional).") var reason: String?

        func run() throws {
            let v = try global.desk().confirmViolation(id, reason: reason)
            try global.output.print(v) { Voice.say(Message("cli.violation.confirmed", ["id": .number(Int(v.id)), "staff": .text(v.driver?.name ?? "-")])) + "\n" + ViolationText.detail(v) }
        }
    }

    struct Handback: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "handback", abstract: "Close a violation outside the shop's custody as the owner's own, with the text to send him.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The violation number.") var id: String
        @Option(help: "Why (optional).") var reason: String?

        func run() throws {
            let view = try global.desk().handBackViolation(id, reason: reason)
            try global.output.print(view) {
                Voice.say(Message("cli.violation.handedBack", ["id": .number(Int(view.violation.id)), "phone": .text(view.ownerPhone ?? "-")])) + "\n\n" + view.ownerText
            }
        }
    }
}

extension DriverDeskCommand.RegisterCommand {
    struct Unconfirm: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unconfirm", abstract: "Undo a confirmation: the registration is an invite again (a manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invite reference, or any text holding it.") var ref: String
        @Option(help: "Why the confirmation is undone.") var reason: String?

        func run() throws {
            let view = try global.desk().unconfirmRegistration(ref, reason: reason)
            try global.output.print(view) { Voice.say(Message("cli.register.unconfirmed", ["ref": .text(view.ref), "staff": .text(view.staff.name), "plate": .text(view.plate)])) }
        }
    }

    struct Unremove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unremove", abstract: "Undo a removal (or a cancelled invite): the state before comes back (a manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The invite reference, or any text holding it.") var ref: String
        @Option(help: "Why the removal is undone.") var reason: String?

        func run() throws {
            let view = try global.desk().unremoveRegistration(ref, reason: reason)
            try global.output.print(view) { Voice.say(Message("cli.register.unremoved", ["ref": .text(view.ref), "status": .term("registrationStatus", view.status)])) }
        }
    }
}

/// The violations whose driver a correction changed, one line each.
enum CorrectionText {
    static func changes(_ changes: [DriverChangeView]) -> [String] {
        changes.map {
            Voice.say(Message("cli.move.driverChanged", ["violation": .number(Int($0.violationId)), "plate": .text($0.plate),
                                                          "from": .text($0.from?.name ?? Voice.words.label("nobody")), "to": .text($0.to?.name ?? Voice.words.label("nobody"))]))
        }
    }
}
