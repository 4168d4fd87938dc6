import ArgumentParser
import DriverDeskApp

extension DriverDeskCommand {
    struct VehicleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vehicle", abstract: "Customer cars.", subcommands: [Add.self, Update.self, List.self, Show.self, Tag.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a customer car.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate, in any spelling: 京A12345, 京a 12345, 京A·12345.") var plate: String
            @Option(help: "The registered owner (person or company).") var owner: String
            @Option(help: "The owner's mobile phone number.") var ownerPhone: String?
            @Option(name: .customLong("engine-last6"), help: "The engine number's last 6 characters (SMS registration needs them).") var engineLast6: String?
            @Option(help: "private or commercial (default private).") var usage: String?
            @Option(help: "small or large (default small).") var size: String?

            func run() throws {
                let v = try global.desk().addVehicle(plate: plate, owner: owner, ownerPhone: ownerPhone, engineLast6: engineLast6, usage: usage, size: size)
                try global.output.print(v) { "Added vehicle #\(v.id) \(v.plate), owner \(v.owner) (\(v.usage), \(v.size))." }
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "update", abstract: "Correct a customer car's owner, engine number, usage or size.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "The registered owner.") var owner: String?
            @Option(help: "The owner's mobile phone number.") var ownerPhone: String?
            @Option(name: .customLong("engine-last6"), help: "The engine number's last 6 characters.") var engineLast6: String?
            @Option(help: "private or commercial.") var usage: String?
            @Option(help: "small or large.") var size: String?

            func run() throws {
                let v = try global.desk().updateVehicle(plate: plate, owner: owner, ownerPhone: ownerPhone, engineLast6: engineLast6, usage: usage, size: size)
                try global.output.print(v) { "Updated vehicle #\(v.id) \(v.plate): owner \(v.owner), \(v.usage), \(v.size), engine last 6 \(String.or(v.engineLast6))." }
            }
        }

        struct Tag: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "tag", abstract: "A key tag with the plate's QR: scanning it starts or ends that car's movement.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "FILE.html (printable), FILE.svg or FILE.png.") var out: String
            @Option(help: "a5 or 80mm (for .html).") var paper: String = "80mm"

            func run() throws {
                let paper = try InviteDocument.Paper(parsing: paper)
                _ = try InviteFormat(path: out)
                let v = try global.desk().writeKeyTag(plate: plate, to: out, paper: paper)
                try global.output.print(v) { "Wrote the key tag of \(v.plate) (\(v.keyTag)) to \(out)." }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List customer cars.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let vehicles = try global.desk().vehicleList()
                try global.output.print(vehicles) {
                    guard !vehicles.isEmpty else { return "No customer cars yet: driverdesk vehicle add --plate P --owner NAME" }
                    var table = Table("#", "PLATE", "OWNER", "PHONE", "USAGE", "SIZE", "IN SHOP")
                    for v in vehicles { table.add(String(v.id), v.plate, v.owner, .or(v.ownerPhone), v.usage, v.size, v.inShop ? "yes" : "") }
                    return table.render()
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "One customer car with its visits and movements.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The plate, in any spelling.") var plate: String

            func run() throws {
                let detail = try global.desk().showVehicle(plate)
                try global.output.print(detail) {
                    let v = detail.vehicle
                    var lines = [
                        "Vehicle #\(v.id) \(v.plate) (\(v.plateKind))\(v.inShop ? ", in the shop" : "")",
                        "Owner:         \(v.owner)\(v.ownerPhone.map { ", \($0)" } ?? "")",
                        "Usage, size:   \(v.usage), \(v.size)",
                        "Engine last 6: \(String.or(v.engineLast6))",
                        "",
                        "Visits (\(detail.visits.count)):",
                    ]
                    var visits = Table("#", "CHECK-IN", "CHECK-OUT", "ORDER")
                    for visit in detail.visits { visits.add(String(visit.id), short(visit.checkinAt), visit.open ? "in the shop" : short(visit.checkoutAt), .or(visit.orderNo)) }
                    lines.append(detail.visits.isEmpty ? "  none" : visits.render(indent: "  "))
                    lines.append("")
                    lines.append("Movements (\(detail.movements.count)):")
                    lines.append(MovementText.table(detail.movements, indent: "  "))
                    lines.append("")
                    lines.append("Registrations (\(detail.drivers) of \(detail.driversLimit) non-owner drivers):")
                    lines.append(RegistrationText.table(detail.registrations, indent: "  "))
                    return lines.joined(separator: "\n")
                }
            }
        }
    }
}
