import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    struct RegisterCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register", abstract: "12123 non-owner registrations and their printed invites (R3).",
            subcommands: [Invite.self, Confirm.self, Remove.self, List.self, Print.self, Unconfirm.self, Unremove.self])

        struct Invite: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "invite", 
                abstract: "Invite a car's owner to let a staff member register it in 12123.",
                discussion: "Prints the invite's text (to paste into chat). --out writes the slip (.html), a card (.svg) or the QR (.png).")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "The staff member's number or unique name.") var staff: String
            @Option(help: "qr, sms or window (default: qr where 12123 allows it online, else window).") var method: String?
            @Option(help: "Write the invite to FILE.html (printable slip), FILE.svg (card) or FILE.png (QR).") var out: String?
            @Option(help: "Paper of the printed slip: a5 or 80mm (default a5).") var paper: String = "a5"
            @Flag(help: "The owner reads English: the slip has each line in English under the Chinese (default: Chinese only).") var english = false
            @Flag(help: "Show the QR code in the terminal.") var terminal = false

            func run() throws {
                let paper = try InviteDocument.Paper(parsing: paper)
                if let out { _ = try InviteFormat(path: out) }
                let desk = try global.desk()
                var (view, document) = try desk.invite(plate: plate, staff: staff, method: method)
                if let out {
                    try desk.write(document, to: out, paper: paper, english: english)
                    view.out = out
                }
                for warning in view.warnings { Output.warn(warning) }
                try global.output.print(view) {
                    let r = view.registration
                    var lines = [
                        Voice.say(Message("cli.register.invited", ["ref": .text(r.ref), "staff": .text(r.staff.name), "plate": .text(r.plate), "owner": .text(r.owner), "method": .term("method", r.method), "expires": .text(r.expiresOn ?? "-")])),
                    ]
                    if let out { lines.append(Voice.say(Message("cli.written", ["out": .text(out)]))) }
                    if terminal { lines.append((try? document.qrCode().terminal(quietZone: 2)) ?? "") }
                    lines += ["", view.text]
                    return lines.joined(separator: "\n")
                }
            }
        }

        struct Print: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "print", abstract: "Write an existing invite again (.html slip, .svg card, .png QR).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The invite reference, or any text holding it.") var ref: String
            @Option(help: "FILE.html, FILE.svg or FILE.png.") var out: String
            @Option(help: "a5 or 80mm.") var paper: String = "a5"
            @Flag(help: "The owner reads English: the slip has each line in English under the Chinese (default: Chinese only).") var english = false

            func run() throws {
                let paper = try InviteDocument.Paper(parsing: paper)
                _ = try InviteFormat(path: out)
                let desk = try global.desk()
                let document = try desk.inviteDocument(ref: ref)
                try desk.write(document, to: out, paper: paper, english: english)
                let view = document.registration
                try global.output.print(view) { Voice.say(Message("cli.register.printed", ["ref": .text(view.ref), "out": .text(out)])) }
            }
        }

        struct Confirm: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "confirm", abstract: "The owner has registered the staff member in 12123: the registration is active.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The invite reference, or any text holding it (scan the slip).") var ref: String
            @Option(help: "When it was registered in 12123 (default now).") var at: String?

            func run() throws {
                let view = try global.desk().confirmRegistration(ref: ref, at: at)
                try global.output.print(view) { Voice.say(Message("cli.register.confirmed", ["ref": .text(view.ref), "staff": .text(view.staff.name), "plate": .text(view.plate), "at": .text(short(view.activatedAt))])) }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove", abstract: "The registration was removed in 12123 (an unconfirmed invite is cancelled).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The invite reference, or any text holding it.") var ref: String
            @Option(help: "When it was removed (default now).") var at: String?

            func run() throws {
                let view = try global.desk().removeRegistration(ref: ref, at: at)
                try global.output.print(view) {
                    view.status == "cancelled"
                        ? Voice.say(Message("cli.register.cancelled", ["ref": .text(view.ref), "staff": .text(view.staff.name), "plate": .text(view.plate)]))
                        : Voice.say(Message("cli.register.removed", ["ref": .text(view.ref), "staff": .text(view.staff.name), "plate": .text(view.plate)]))
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List registrations, newest first.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "invited, active, removalDue, removed, expired or cancelled.") var status: String?

            func run() throws {
                let list = try global.desk().registrationList(status: status)
                try global.output.print(list) { RegistrationText.table(list) }
            }
        }
    }
}

/// Registrations as a table.
enum RegistrationText {
    static func table(_ list: [RegistrationView], indent: String = "") -> String {
        let words = Voice.words
        guard !list.isEmpty else { return indent + words.label("none") }
        var table = Table(words.label("columnRef"), words.label("columnPlate"), words.label("columnStaff"), words.label("columnMethod"), words.label("columnStatus"),
                          words.label("columnInvited"), words.label("columnActiveSince"), words.label("columnNote"))
        for r in list {
            let note: String
            switch r.status {
            case "invited": note = words.render(Message("registration.noteInvited", ["at": .text(r.expiresOn ?? "-")]))
            case "removalDue": note = words.render(Message("registration.noteRemovalDue", ["at": .text(short(r.removalDueAt))]))
            case "removed": note = words.render(Message("registration.noteRemoved", ["at": .text(short(r.removedAt))]))
            case "expired": note = words.render(Message("registration.noteExpired", ["at": .text(short(r.expiredAt))]))
            case "cancelled": note = words.render(Message("registration.noteCancelled", ["at": .text(short(r.cancelledAt))]))
            default: note = ""
            }
            table.add(r.ref, r.plate, r.staff.name, words.term("method", r.method), words.term("registrationStatus", r.status), short(r.invitedAt), short(r.activatedAt), note)
        }
        return table.render(indent: indent)
    }
}
