import ArgumentParser
import DriverDeskApp

extension DriverDeskCommand {
    struct StaffCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "staff", abstract: "Employees who may drive customer cars.",
            subcommands: [Add.self, List.self, Show.self, Update.self, Deactivate.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a staff member with his driver's licence.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Full name as on the ID card.") var name: String
            @Option(help: "The 18-character ID number (also the licence number).") var idNumber: String
            @Option(help: "Licence class: A1 A2 A3 B1 B2 C1 C2 C3 C4 C5 C6 D E F M N P.") var licenseClass: String
            @Option(help: "The licence's first-issue date (the scoring cycle starts on its anniversary).") var licenseFirstIssued: String
            @Option(help: "The last day the licence is valid.") var licenseValidUntil: String
            @Option(help: "Mobile phone number.") var phone: String?

            func run() throws {
                let staff = try global.desk().addStaff(name: name, idNumber: idNumber, licenseClass: licenseClass,
                                                       licenseFirstIssued: licenseFirstIssued, licenseValidUntil: licenseValidUntil, phone: phone)
                try global.output.print(staff) {
                    Voice.say(Message("cli.staff.added", ["id": .number(Int(staff.id)), "name": .text(staff.name), "idNumber": .text(staff.idNumber), "class": .text(staff.licenseClass), "until": .text(staff.licenseValidUntil)]))
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List staff members (ID numbers masked).")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let staff = try global.desk().staffList()
                try global.output.print(staff) {
                    let words = Voice.words
                    guard !staff.isEmpty else { return words.label("staffNone") + " driverdesk staff add --help" }
                    var table = Table("#", words.label("columnName"), words.label("columnIdNumber"), words.label("columnClass"), words.label("columnLicenceUntil"),
                                      words.label("columnPhone"), words.label("columnStatus"))
                    for s in staff {
                        let state = words.label(!s.active ? "staffInactive" : (s.licenseValid ? "staffActive" : "staffLicenceExpired"))
                        table.add(String(s.id), s.name, s.idNumber, s.licenseClass, s.licenseValidUntil, .or(s.phone), state)
                    }
                    return table.render()
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "One staff member, with the whole ID number and recent movements.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The staff member's number or unique name.") var staff: String

            func run() throws {
                let detail = try global.desk().showStaff(staff)
                try global.output.print(detail) {
                    let s = detail.staff, words = Voice.words
                    var lines = [
                        Voice.say(Message("cli.staff.title", ["id": .number(Int(s.id)), "name": .text(s.name)])) + (s.active ? "" : " (\(words.label("staffInactive")))"),
                        words.line("idNumber", s.idNumber),
                        words.line("licence", Voice.say(Message("cli.staff.licence", ["class": .text(s.licenseClass), "first": .text(s.licenseFirstIssued), "until": .text(s.licenseValidUntil)]))
                            + (s.licenseValid ? "" : " (\(words.label("staffLicenceExpired")))")),
                        words.line("phone", .or(s.phone)),
                        words.line("cyclePoints", Voice.say(Message("cli.staff.points", ["points": .number(s.pointsThisCycle ?? 0), "start": .text(s.cycleStart ?? "-"), "end": .text(s.cycleEnd ?? "-"), "left": .number(s.pointsRemaining ?? 0)]))),
                        words.line("registrations", detail.slotsText),
                        "",
                        Voice.heading("recentMovements", detail.movements.count),
                    ]
                    lines.append(MovementText.table(detail.movements, indent: "  "))
                    lines.append("")
                    lines.append(Voice.heading("registrations", detail.registrations.count))
                    lines.append(RegistrationText.table(detail.registrations, indent: "  "))
                    return lines.joined(separator: "\n")
                }
            }
        }

        struct Deactivate: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "deactivate", abstract: "Mark a staff member as no longer driving customer cars.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The staff member's number or unique name.") var staff: String

            func run() throws {
                let s = try global.desk().deactivateStaff(staff)
                try global.output.print(s) { Voice.say(Message("cli.staff.deactivated", ["id": .number(Int(s.id)), "name": .text(s.name)])) }
            }
        }
    }
}
