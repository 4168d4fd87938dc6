import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the shop's database and name the shop.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The shop's name, printed on slips and pages.") var shopName: String?
        @Option(help: "The shop's time zone (default Asia/Shanghai).") var timeZone: String?

        func run() throws {
            if case .postgres(let address) = try global.address() {
                // A chain: the schema made or migrated, and the address's shop added when it is not there yet.
                guard case .code(let code) = address.shop else {
                    throw DeskError.invalid(field: global.dbField, reason: Message("input.db.noShop"))
                }
                // The same fields as on a SQLite file (the settings they become), so that a script sees the same errors.
                let new: Chain.NewShop
                do {
                    new = try Chain.NewShop(code: code, name: shopName ?? Config.setting("shop.name").defaultValue, timeZone: timeZone,
                                            database: address.database, codeField: global.dbField)
                } catch DeskError.invalid(let field, let reason, let line) where ["shop-name", "time-zone"].contains(field) {
                    throw DeskError.invalid(field: field == "shop-name" ? "shop.name" : "shop.timeZone", reason: reason, line: line)
                }
                let chain = try global.chain()
                defer { chain.close() }
                let shop = try chain.addShop(new)
                try global.output.print(shop) {
                    Voice.say(Message("cli.init.ready", ["shop": .text(shop.name), "zone": .text(shop.timeZone), "path": .text(address.shown)]))
                }
                return
            }
            let desk = try global.desk()
            let settings = try desk.initialise(shopName: shopName, timeZone: timeZone)
            try global.output.print(settings) {
                let shop = settings.first { $0.key == "shop.name" }?.value ?? ""
                let zone = settings.first { $0.key == "shop.timeZone" }?.value ?? ""
                return Voice.say(Message("cli.init.ready", ["shop": .text(shop), "zone": .text(zone), "path": .text(global.shownDatabase)]))
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "What needs doing now: cars in the shop, who is driving.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let status = try global.desk().status()
            try global.output.print(status) { StatusText.render(status) }
        }
    }

    struct ConfigCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config", abstract: "Show or change the shop's settings.", subcommands: [Show.self, Set.self])

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "List every setting with its value and default.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let settings = try global.desk().settings()
                try global.output.print(settings) {
                    let words = Voice.words
                    var table = Table(words.label("columnKey"), words.label("columnValue"), words.label("columnDefault"), words.label("columnMeaning"))
                    for s in settings {
                        table.add(s.key, s.valueText ?? (s.value.isEmpty ? "\"\"" : s.value), s.isDefault ? words.label("isDefault") : s.defaultValue,
                                  s.help + (s.rule.map { words.language == .zhHans ? "（\($0)）" : " (\($0))" } ?? ""))
                    }
                    return table.render()
                }
            }
        }

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "set", abstract: "Change one setting.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The setting, e.g. attribution.slackMinutes.") var key: String
            @Argument(parsing: .allUnrecognized, help: "The new value (may start with - ).") var value: [String]

            func validate() throws {
                guard value.count == 1 else { throw ValidationError(Voice.say(Message("cli.config.oneValue"))) }
            }

            func run() throws {
                let setting = try global.desk().setSetting(key: key, value: value[0])
                try global.output.print(setting) { "\(setting.key) = \(setting.value)" }
            }
        }
    }

    struct AuditCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "audit", abstract: "List every change: who, what, when, before and after.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only entries at or after this time.") var since: String?
        @Option(help: "Only entries up to this day (or time).") var until: String?
        @Option(help: "Only this person's entries: the operator, or the web account (with its staff member in brackets).") var person: String?
        @Option(help: "Only this action, or the actions under it (violation takes violation.pay).") var action: String?
        @Option(help: "Only the newest N entries that match (a whole number from 1; default: all).") var limit: String?
        @Option(help: "Only entries numbered below ID: to page back, pass the smallest id of the last answer.") var before: String?

        func run() throws {
            let entries = try global.desk().audit(since: since, until: until, person: person, action: action, limit: limit, before: before)
            try global.output.print(entries) {
                let words = Voice.words
                var table = Table("#", words.label("columnWhen"), words.label("columnOperator"), words.label("columnAction"), words.label("columnSubject"), words.label("columnChange"))
                for e in entries {
                    let change = JSONValue.change(from: e.before, to: e.after)
                    table.add(String(e.id), short(e.at), e.operator, e.action, e.subject, change)
                }
                return entries.isEmpty ? words.label("auditNone") : table.render()
            }
        }
    }

    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "demo", abstract: "Fill a new database with a realistic sample workshop from data/demo/.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Also make a manager's account of this name, with a new password printed once (make run makes 店长).") var manager: String?

        func run() throws {
            let desk = try global.desk()
            let name = try manager.map { try AccountRules.name($0, field: "manager") }
            let summary = try DemoWorkshop(folder: try Resources.folder("data/demo")).load(into: desk)
            // The one password DriverDesk ever prints: made here, shown once, kept only as its hash.
            let password = name.map { _ in PasswordInput.generated() }
            if let name, let password { _ = try desk.addUser(name: name, role: "manager", staff: nil, password: password) }
            try global.output.print(summary) {
                var text = Voice.say(Message("cli.demo.made", ["shop": .text(summary.shop), "staff": .number(summary.staff), "vehicles": .number(summary.vehicles), "visits": .number(summary.visits), "movements": .number(summary.movements), "path": .text(global.shownDatabase)]))
                if let name, let password { text += "\n" + Voice.say(Message("cli.demo.manager", ["name": .text(name), "password": .text(password)])) }
                return text
            }
        }
    }
}

/// The text of `status`.
enum StatusText {
    /// The status in the chosen language: each heading with its count, the tables, what to type next.
    static func render(_ status: StatusView) -> String {
        let words = Voice.words, zh = words.language == .zhHans
        func heading(_ text: String, _ count: Int) -> String { zh ? "\(text)（\(count)）：" : "\(text) (\(count)):" }
        func purpose(_ value: String?) -> String { value.map { words.term("purpose", $0) } ?? "-" }
        var lines = ["\(status.shop), \(short(status.now))", ""]
        lines.append(heading(words.label("statusInShop"), status.carsInShop.count))
        if status.carsInShop.isEmpty {
            lines.append("  " + words.label("none"))
        } else {
            var table = Table(words.label("columnPlate"), words.label("columnOwner"), words.label("columnSince"), words.label("columnOrder"), words.label("columnDriving"))
            for car in status.carsInShop {
                let driving = car.driver.map { words.render(Message("status.drivingSince", ["staff": .text($0.name), "since": .text(clockTime(car.drivingSince)), "purpose": .text(purpose(car.purpose))])) } ?? "-"
                table.add(car.plate, car.owner, short(car.since), .or(car.orderNo), driving)
            }
            lines.append(table.render(indent: "  "))
        }
        lines.append("")
        lines.append(heading(words.label("statusDriving"), status.driving.count) + (status.driving.isEmpty ? " " + words.label("nobody") : ""))
        for car in status.driving {
            lines.append("  \(car.plate)  " + words.render(Message("status.drivingSince", ["staff": .text(car.driver!.name), "since": .text(short(car.drivingSince)), "purpose": .text(purpose(car.purpose))])))
        }
        if !status.staleVisits.isEmpty {
            lines.append("")
            lines.append(heading(words.label("statusStale"), status.staleVisits.count))
            for car in status.staleVisits { lines.append("  \(car.plate)  " + words.render(Message("status.inShopSince", ["since": .text(short(car.since))]))) }
        }
        let titles: [(String, String)] = [
            ("review", words.label("groupReview")), ("invite", words.label("groupInvite")), ("window", words.label("groupWindow")),
            ("process", words.label("groupProcess")), ("pay", words.label("groupPay")), ("overdue", words.label("groupOverdue")),
        ]
        for (key, title) in titles {
            guard let list = status.violations[key], !list.isEmpty else { continue }
            lines.append("")
            lines.append(heading(title, list.count))
            for v in list {
                let owed = v.totalDueYuan.map { words.render(Message("status.owed", ["total": .text(words.money(yuan: $0)), "due": .text(v.dueDate ?? "")])) } ?? ""
                lines.append("  #\(v.id)  \(v.plate)  \(short(v.occurredAt))  \(v.code)  \(v.points) \(words.label("points"))  \(v.driver?.name ?? words.label("nobody"))\(owed)")
            }
        }
        if status.violationsNotShown > 0 {
            lines.append("  … \(status.violationsNotShown) \(words.label("statusMore")): driverdesk violation list --status open")
        }
        if !status.removalsDue.isEmpty {
            lines.append("")
            lines.append(heading(words.label("statusRemovals"), status.removalsDue.count))
            for r in status.removalsDue {
                lines.append("  \(r.ref)  " + words.render(Message("status.removalDue", ["staff": .text(r.staff.name), "plate": .text(r.plate), "since": .text(short(r.removalDueAt))])))
            }
        }
        lines.append("")
        lines.append(words.render(Message("status.summary", ["staff": .number(status.activeStaff), "vehicles": .number(status.vehicles), "movements": .number(status.movementsToday)])))
        return lines.joined(separator: "\n")
    }
}
