import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    /// `shop add`, `shop list` and `shop password`: the shops of a chain on PostgreSQL (the owner's address adds them and
    /// sets their database passwords).
    struct ShopCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shop", abstract: "The shops of a chain on one PostgreSQL database.", subcommands: [Add.self, List.self, Password.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a shop to the chain (as the chain's owner); an existing code is left as it is.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The shop's code, as desks name it in ?shop=CODE (letters, digits, - or _).") var code: String
            @Option(help: "The shop's name, printed on slips and pages.") var name: String
            @Option(help: "The shop's time zone (default Asia/Shanghai).") var timeZone: String?

            func run() throws {
                let new = try Chain.NewShop(code: code, name: name, timeZone: timeZone, database: try global.chainAddress().database)
                let chain = try global.chain()
                defer { chain.close() }
                let shop = try chain.addShop(new)
                try global.output.print(shop) {
                    guard shop.created == false else {
                        return Voice.say(Message("cli.shop.added", ["code": .text(shop.code), "name": .text(shop.name), "zone": .text(shop.timeZone)]))
                    }
                    return Voice.say(Message("cli.shop.exists", ["code": .text(shop.code), "name": .text(shop.name), "zone": .text(shop.timeZone)]))
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the chain's shops.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let chain = try global.chain()
                defer { chain.close() }
                let shops = try chain.shops()
                try global.output.print(shops) {
                    let words = Voice.words
                    guard !shops.isEmpty else { return words.label("noShops") }
                    var table = Table("#", words.label("columnShopCode"), words.label("columnShopName"), words.label("columnTimeZone"), words.label("columnDatabaseRole"))
                    for shop in shops { table.add(String(shop.id), shop.code, shop.name, shop.timeZone, shop.databaseRole) }
                    return table.render()
                }
            }
        }

        struct Password: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "password", abstract: "Set the password a shop's front desks log in to the database with (as the chain's owner, on ?shop=*).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The shop's code.") var code: String
            @Flag(help: "Read the password from the first line of standard input instead of asking for it twice.") var passwordStdin = false

            func run() throws {
                // The code and the address are checked before the password is asked for.
                _ = try DatabaseAddress.shopCode(code, field: "shop-code")
                let chain = try global.chain()
                defer { chain.close() }
                let set = try chain.setShopPassword(code: code, password: try PasswordInput.read(fromStdin: passwordStdin, confirm: true))
                try global.output.print(set) {
                    Voice.say(Message("cli.shop.password", ["code": .text(set.code), "role": .text(set.databaseRole)]))
                }
            }
        }
    }
}
