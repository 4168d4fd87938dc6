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
                try global.output.print(v) { Voice.say(Message("cli.vehicle.added", ["id": .number(Int(v.id)), "plate": .text(v.plate), "owner": .text(v.owner), "usage": .term("usage", v.usage), "size": .term("size", v.size)])) }
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
                try global.output.print(v) { Voice.say(Message("cli.vehicle.updated", ["id": .number(Int(v.id)), "plate": .text(v.plate), "owner": .text(v.owner), "usage": .term("usage", v.usage), "size": .term("size", v.size), "engine": .text(String.or(v.engineLast6))])) }
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
                try global.output.print(v) { Voice.say(Message("cli.vehicle.tagWritten", ["plate": .text(v.plate), "token": .text(v.keyTag), "out": .text(out)])) }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List customer cars.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let vehicles = try global.desk().vehicleList()
                try global.output.print(vehicles) {
                    let words = Voice.words
                    guard !vehicles.isEmpty else { return words.label("vehiclesNone") + " driverdesk vehicle add --help" }
                    var table = Table("#", words.label("columnPlate"), words.label("columnOwner"), words.label("columnPhone"), words.label("columnUsage"),
                                      words.label("columnSize"), words.label("columnInShop"))
                    for v in vehicles {
                        table.add(String(v.id), v.plate, v.owner, .or(v.ownerPhone), words.term("usage", v.usage), words.term("size", v.size), v.inShop ? words.label("inShop") : "")
                    }
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
                    let v = detail.vehicle, words = Voice.words, sep = words.language == .zhHans ? "，" : ", "
                    var lines = [
                        Voice.say(Message("cli.vehicle.title", ["id": .number(Int(v.id)), "plate": .text(v.plate), "kind": .term("plateKind", v.plateKind)]))
                            + (v.inShop ? sep + words.label("inShop") : ""),
                        words.line("owner", v.owner + (v.ownerPhone.map { sep + $0 } ?? "")),
                        words.line("usageSize", words.term("usage", v.usage) + sep + words.term("size", v.size)),
                        words.line("engineLastSix", .or(v.engineLast6)),
                        "",
                        Voice.heading("visits", detail.visits.count),
                    ]
                    var visits = Table("#", words.label("columnCheckin"), words.label("columnCheckout"), words.label("columnOrder"))
                    for visit in detail.visits {
                        visits.add(String(visit.id), short(visit.checkinAt), visit.open ? words.label("inShop") : short(visit.checkoutAt), .or(visit.orderNo))
                    }
                    lines.append(detail.visits.isEmpty ? "  " + words.label("none") : visits.render(indent: "  "))
                    lines.append("")
                    lines.append(Voice.heading("movements", detail.movements.count))
                    lines.append(MovementText.table(detail.movements, indent: "  "))
                    lines.append("")
                    lines.append(Voice.say(Message("cli.vehicle.drivers", ["drivers": .number(detail.drivers), "limit": .number(detail.driversLimit)])))
                    lines.append(RegistrationText.table(detail.registrations, indent: "  "))
                    return lines.joined(separator: "\n")
                }
            }
        }
    }
}
