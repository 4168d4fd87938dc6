import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    /// `user add|list|passwd|disable`: the web front desk's accounts, one per person.
    struct UserCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user", abstract: "The web front desk's accounts: one per person, each with a role.",
            subcommands: [Add.self, List.self, Passwd.self, Disable.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an account (desk, manager or driver) for one person.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The login name: up to 32 letters, digits, '.', '_' or '-'.") var name: String
            @Option(help: "desk (the front desk's work), manager (also processing, payments, cleanup, settings, reports, accounts), driver (a mechanic's phone: his own movements and record; needs --staff) or chain.") var role: String
            @Option(help: "The staff member this person is (number or unique name): the audit names both.") var staff: String?
            @Option(help: "On a chain: the shop the account belongs to (the address's own shop).") var shop: String?
            @Flag(help: "Read the password from the first line of standard input instead of asking for it.") var passwordStdin = false

            func run() throws {
                try UserCommand.checkShop(shop, global: global)
                // The name and role are checked before the password is asked for.
                let name = try AccountRules.name(self.name)
                let parsed = try Role.parse(role)
                let user: AccountView
                if let chain = try UserCommand.chain(global) {
                    defer { chain.close() }
                    try chain.checkNewUser(role: role, staff: staff)
                    user = try chain.addUser(name: name, role: role, staff: staff, password: try PasswordInput.read(fromStdin: passwordStdin, confirm: true))
                } else {
                    let desk = try global.desk()
                    try AccountRules.checkRole(parsed, isChain: false)
                    try AccountRules.checkStaff(role: parsed, staffGiven: staff != nil, staffActive: nil)
                    user = try desk.addUser(name: name, role: role, staff: staff, password: try PasswordInput.read(fromStdin: passwordStdin, confirm: true))
                }
                try global.output.print(user) {
                    Voice.say(Message("cli.user.added", ["name": .text(user.name), "role": .term("role", user.role), "staff": .text(user.staff?.name ?? "—")]))
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accounts (never their passwords).")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let chain = try UserCommand.chain(global)
                defer { chain?.close() }
                let users = try chain?.users() ?? global.desk().users()
                try global.output.print(users) {
                    let words = Voice.words
                    guard !users.isEmpty else { return words.label("usersNone") + " driverdesk user add --help" }
                    var table = Table(words.label("columnAccount"), words.label("columnRole"), words.label("columnStaff"), words.label("columnStatus"), words.label("columnSince"))
                    if chain != nil { table = Table(words.label("columnShopCode"), words.label("columnAccount"), words.label("columnRole"), words.label("columnStaff"), words.label("columnStatus"), words.label("columnSince")) }
                    for u in users {
                        let cells = [u.name, words.term("role", u.role), .or(u.staff?.name), words.label(u.active ? "userActive" : "userDisabled"), u.createdAt]
                        table.add(chain != nil ? [.or(u.shop)] + cells : cells)
                    }
                    return table.render()
                }
            }
        }

        struct Passwd: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Give an account a new password; its web sessions end.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The login name.") var name: String
            @Flag(help: "Read the password from the first line of standard input instead of asking for it.") var passwordStdin = false

            func run() throws {
                let name = try AccountRules.name(self.name)
                let chain = try UserCommand.chain(global)
                defer { chain?.close() }
                let desk = chain == nil ? try global.desk() : nil
                // The account must exist before its new password is asked for.
                let known = try chain.map { try $0.users().filter { $0.role == "chain" } } ?? desk!.users()
                guard known.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw DeskError.notFound(field: "name", reason: Message("notFound.account", ["name": .text(name)]))
                }
                let password = try PasswordInput.read(fromStdin: passwordStdin, confirm: true)
                let user = try chain?.setPassword(name: name, password: password) ?? desk!.setPassword(name: name, password: password)
                try global.output.print(user) { Voice.say(Message("cli.user.passwd", ["name": .text(user.name)])) }
            }
        }

        struct Disable: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account: no more logins, its web sessions end.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The login name.") var name: String

            func run() throws {
                let chain = try UserCommand.chain(global)
                defer { chain?.close() }
                let user = try chain?.disableUser(name: name) ?? global.desk().disableUser(name: name)
                try global.output.print(user) { Voice.say(Message("cli.user.disabled", ["name": .text(user.name)])) }
            }
        }

        /// The chain, when the address is a chain's `?shop=*` (its managers' accounts); nil for a shop.
        static func chain(_ global: GlobalOptions) throws -> Chain? { try global.chainManager() }

        /// `--shop`: on a SQLite file there is no other shop; on a chain it must be the address's own.
        static func checkShop(_ shop: String?, global: GlobalOptions) throws {
            guard let shop else { return }
            switch try global.address() {
            case .sqlite:
                throw DeskError.invalid(field: "shop", reason: Message("input.account.shopOnFile"))
            case .postgres(let address):
                guard case .code(let code) = address.shop, code == shop.trimmingSpaces() else {
                    throw DeskError.invalid(field: "shop", reason: Message("input.account.otherShop", ["shop": .text(shop)]))
                }
            }
        }
    }
}

/// A password typed by a person: from standard input's first line (`--password-stdin`, as `docker login` takes it),
/// or asked for twice on the terminal without echo.
enum PasswordInput {
    /// A new password of 16 letters and digits that cannot be mistaken for each other (no 0/O, 1/l/I), in groups of 4:
    /// about 90 bits from the system's generator.
    static func generated() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
        return stride(from: 0, to: 16, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    static func read(fromStdin: Bool, confirm: Bool) throws -> String {
        if fromStdin {
            guard let line = readLine(strippingNewline: true) else {
                throw DeskError.invalid(field: "password-stdin", reason: Message("input.password.stdinEmpty"))
            }
            return line.hasSuffix("\r") ? String(line.dropLast()) : line
        }
        // As `docker login`: a person at a terminal is asked; a script must say --password-stdin.
        let tty = isatty(STDIN_FILENO) == 1 ? open("/dev/tty", O_RDWR) : -1
        guard tty >= 0 else { throw DeskError.invalid(field: "password", reason: Message("input.password.noTerminal")) }
        defer { close(tty) }
        let first = try ask(Voice.words.label("passwordPrompt"), tty: tty)
        guard confirm else { return first }
        let second = try ask(Voice.words.label("passwordAgain"), tty: tty)
        guard first == second else { throw DeskError.invalid(field: "password", reason: Message("input.password.mismatch")) }
        return first
    }

    /// One line from the terminal with its echo off (restored afterwards, also on Ctrl-C's way out of `read`). The
    /// echo goes off before the prompt shows: whatever is typed once the prompt is there is never echoed.
    private static func ask(_ prompt: String, tty: Int32) throws -> String {
        var saved = termios()
        let isTerminal = tcgetattr(tty, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSANOW, &quiet)
        }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        defer {
            if isTerminal { tcsetattr(tty, TCSANOW, &saved) }
            _ = "\n".withCString { write(tty, $0, 1) }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            bytes.append(byte)
            if bytes.count > 4_096 { break }
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
