import ArgumentParser
import DriverDeskApp

extension DriverDeskCommand {
    struct StaffCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "staff", abstract: "Employees who may drive customer cars.",
            subcommands: [Add.self, List.self, Show.self, Deactivate.self])

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
                    "Added staff #\(staff.id) \(staff.name) (\(staff.idNumber)), licence \(staff.licenseClass) valid until \(staff.licenseValidUntil)."
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List staff members (ID numbers masked).")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let staff = try global.desk().staffList()
                try global.output.print(staff) {
                    guard !staff.isEmpty else { return "No staff yet: driverdesk staff add --name ... (see driverdesk staff add --help)" }
                    var table = Table("#", "NAME", "ID NUMBER", "CLASS", "LICENCE UNTIL", "PHONE", "STATUS")
                    for s in staff {
                        let state = !s.active ? "inactive" : (s.licenseValid ? "active" : "licence expired")
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
                    let s = detail.staff
                    var lines = [
                        "Staff #\(s.id) \(s.name)\(s.active ? "" : " (inactive)")",
                        "ID number:     \(s.idNumber)",
                        "Licence:       \(s.licenseClass), first issued \(s.licenseFirstIssued), valid until \(s.licenseValidUntil)\(s.licenseValid ? "" : " (EXPIRED)")",
                        "Phone:         \(String.or(s.phone))",
                        "Points:        \(s.pointsThisCycle ?? 0) this cycle (\(s.cycleStart ?? "-") to \(s.cycleEnd ?? "-")), \(s.pointsRemaining ?? 0) left",
                        "Registrations: \(detail.slotsText)",
                        "",
                        "Recent movements (\(detail.movements.count)):",
                    ]
                    lines.append(MovementText.table(detail.movements, indent: "  "))
                    lines.append("")
                    lines.append("Registrations (\(detail.registrations.count)):")
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
                try global.output.print(s) { "Staff #\(s.id) \(s.name) is now inactive; history stays." }
            }
        }
    }
}
