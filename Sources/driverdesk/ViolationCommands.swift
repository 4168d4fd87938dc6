import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    struct ViolationCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "violation", abstract: "Camera violations, recorded against the staff member who drove (R2, R4–R8).",
            subcommands: [Add.self, Import.self, List.self, Show.self, Assign.self, Confirm.self, Process.self, Pay.self, Unpay.self, Handback.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a camera violation: who drove, and whether it can be handled online.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "When it happened, as on the notice.") var at: String
            @Option(help: "The violation code, e.g. 1625.") var code: String
            @Option(help: "Points (default: the code's).") var points: String?
            @Option(help: "Fine in yuan (default: the shop's or the code's typical fine).") var fine: String?
            @Option(help: "Where it happened.") var location: String?
            @Option(help: "The record or decision number.") var recordNo: String?

            func run() throws {
                let v = try global.desk().addViolation(plate: plate, at: at, code: code, points: points, fine: fine, location: location, recordNo: recordNo)
                try global.output.print(v) { Voice.say(Message("cli.violation.recorded", ["id": .number(Int(v.id))])) + "\n" + ViolationText.detail(v) }
            }
        }

        struct Import: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "import", 
                abstract: "Import camera records from a CSV (UTF-8 or GB18030, Chinese or English headers).",
                discussion: "The whole file is checked first: a bad line imports nothing and every bad line is listed. Records already recorded are skipped.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The CSV file.") var file: String
            @Flag(help: "Check and attribute everything, then write nothing.") var dryRun = false

            func run() throws {
                let started = Date()
                let view = try global.desk().importViolations(file: file, dryRun: dryRun) { line in
                    FileHandle.standardError.write(Data("\(line)\n".utf8))
                }
                try global.output.print(view) {
                    let words = Voice.words
                    let how = view.byAttribution.sorted { $0.key < $1.key }.map { "\(words.term("attribution", $0.key)) \($0.value)" }
                    let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
                    let done = view.dryRun
                        ? Voice.say(Message("cli.import.dryRun", ["added": .number(view.added), "records": .number(view.records), "file": .text(view.file), "skipped": .number(view.skipped), "seconds": .text(seconds)]))
                        : Voice.say(Message("cli.import.done", ["added": .number(view.added), "records": .number(view.records), "file": .text(view.file), "skipped": .number(view.skipped), "seconds": .text(seconds)]))
                    return done + (how.isEmpty ? "" : "\n" + Voice.say(Message("cli.import.attribution", ["counts": .names(how), "review": .number(view.needsReview)])))
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List violations, newest first.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "open, processed, paid, void or handedBack.") var status: String?

            func run() throws {
                let list = try global.desk().violationList(status: status)
                try global.output.print(list) { ViolationText.table(list) }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "One violation: who drove, why, the channel, and what is owed as of now.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The violation number.") var id: String

            func run() throws {
                let v = try global.desk().showViolation(id)
                try global.output.print(v) { ViolationText.detail(v) }
            }
        }

        struct Assign: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "assign", abstract: "Decide by hand who drove (audited).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The violation number.") var id: String
            @Option(help: "The staff member who drove.") var staff: String
            @Option(help: "Why: what shows he drove.") var reason: String

            func run() throws {
                let v = try global.desk().assignViolation(id, staff: staff, reason: reason)
                try global.output.print(v) { Voice.say(Message("cli.violation.assigned", ["id": .number(Int(v.id)), "staff": .text(v.driver?.name ?? "-")])) + "\n" + ViolationText.detail(v) }
            }
        }

        struct Process: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "process", abstract: "The driver accepted it in 12123 (online, checked against R4) or --window at a police window.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The violation number.") var id: String
            @Flag(help: "Processed at a traffic police window (handles every case).") var window = false
            @Option(help: "When (default now).") var at: String?

            func run() throws {
                let outcome = try global.desk().processViolation(id, window: window, at: at)
                for warning in outcome.warnings { Output.warn(warning) }
                try global.output.print(outcome) {
                    let v = outcome.violation
                    return Voice.say(Message("cli.violation.processed", ["id": .number(Int(v.id)), "channel": .term("channelDone", v.processedChannel ?? "online"), "at": .text(short(v.processedAt)), "points": .number(v.points), "staff": .text(v.driver?.name ?? "-"), "fine": .text(Voice.words.money(yuan: v.fineYuan)), "due": .text(v.dueDate ?? "-")]))
                }
            }
        }

        struct Pay: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "pay", abstract: "Record the payment of a processed fine, with its late fee (R7).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The violation number.") var id: String
            @Option(help: "wechat, alipay, bank-card or cash.") var method: String
            @Option(help: "shop, driver or owner (default shop).") var payer: String?
            @Option(help: "Amount paid in yuan (default: what is due that day).") var amount: String?
            @Option(help: "When (default now).") var at: String?

            func run() throws {
                let outcome = try global.desk().payViolation(id, method: method, payer: payer, amount: amount, at: at)
                for warning in outcome.warnings { Output.warn(warning) }
                try global.output.print(outcome) {
                    let v = outcome.violation
                    let words = Voice.words
                    var text = Voice.say(Message("cli.violation.paid", ["id": .number(Int(v.id)), "paid": .text(words.money(yuan: v.paidYuan ?? 0)), "payer": .term("payer", v.payer ?? "shop"), "method": .term("payMethod", v.payMethod ?? "cash"), "fine": .text(words.money(yuan: v.fineYuan)), "late": .text(words.money(yuan: v.lateFeeYuan ?? 0))]))
                    if let ref = outcome.removalDue {
                        text += "\n" + Voice.say(Message("cli.violation.removalDue", ["staff": .text(v.driver?.name ?? "-"), "plate": .text(v.plate), "ref": .text(ref)]))
                    }
                    return text
                }
            }
        }
    }

    struct Cleanup: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cleanup", 
            abstract: "Expire old invites, schedule removals, list what needs a person (R9). Safe to run every hour.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Show what would happen; change nothing.") var dryRun = false

        func run() throws {
            let result = try global.desk().cleanup(dryRun: dryRun)
            try global.output.print(result) {
                let words = Voice.words, zh = words.language == .zhHans
                var lines = result.actions.map { words.term("cleanupKind", $0.kind) + (zh ? "：" : ": ") + $0.message + ($0.cliHint.map { " " + $0 } ?? "") }
                let counts = Dictionary(grouping: result.actions, by: \.kind).map { "\(words.term("cleanupKind", $0.key)) \($0.value.count)" }.sorted()
                lines.append(words.label(result.dryRun ? "cleanupDryRun" : "cleanupDone") + (zh ? "：" : ": ")
                             + (counts.isEmpty ? words.label("cleanupNothing") : counts.joined(separator: zh ? "，" : ", ")))
                return lines.joined(separator: "\n")
            }
        }
    }
}

/// Violations as text.
enum ViolationText {
    static func table(_ list: [ViolationView]) -> String {
        let words = Voice.words
        guard !list.isEmpty else { return words.label("none") }
        var table = Table("#", words.label("columnPlate"), words.label("columnWhen"), words.label("columnCode"), words.label("columnPoints"),
                          words.label("columnFine"), words.label("columnDriver"), words.label("columnHow"), words.label("columnChannel"), words.label("columnStatus"))
        for v in list {
            table.add(String(v.id), v.plate, short(v.occurredAt), v.code, String(v.points), words.money(yuan: v.fineYuan), v.driver?.name ?? "-",
                      words.term("attribution", v.attribution) + (v.needsReview ? " (\(words.label("reviewNeeded")))" : ""),
                      v.channel.map { words.term("channel", $0) } ?? "-", words.term("violationStatus", v.status))
        }
        return table.render()
    }

    static func detail(_ v: ViolationView) -> String {
        let words = Voice.words, zh = words.language == .zhHans
        let sep = zh ? "，" : ", "
        var lines = [
            "#\(v.id) \(v.plate) · \(short(v.occurredAt))\(v.location.map { " · \($0)" } ?? "")",
            words.line("code", "\(v.code)\(v.description.map { " \($0)" } ?? "")\(sep)\(v.points) \(words.label("points"))\(sep)\(words.money(yuan: v.fineYuan))"
                + (v.recordNo.map { "\(sep)\(words.label("record")) \($0)" } ?? "")),
            words.line("driver", v.driver.map { "\($0.name) (#\($0.id))" } ?? words.label("nobody")),
            words.line("attribution", words.term("attribution", v.attribution) + (v.needsReview ? " (\(words.label("reviewNeeded")))" : "")),
            words.line("channel", (v.channel.map { words.term("channel", $0) } ?? "-") + (v.onlineFrom.map { " (\(words.label("onlineFrom")) \($0))" } ?? "")),
            words.line("status", words.term("violationStatus", v.status)),
        ]
        if let due = v.dueDate {
            lines.append(words.line("due", "\(due)\(sep)\(words.label("lateFee")) \(words.money(yuan: v.lateFeeYuan ?? 0))\(sep)\(words.label("total")) \(words.money(yuan: v.totalDueYuan ?? 0))"))
        }
        if let paid = v.paidAt {
            lines.append(words.line("paid", "\(short(paid))\(sep)\(words.money(yuan: v.paidYuan ?? 0))\(sep)\(v.payer.map { words.term("payer", $0) } ?? "-")\(sep)\(v.payMethod.map { words.term("payMethod", $0) } ?? "-")"))
        }
        lines.append(words.label("why") + (zh ? "：" : ":"))
        lines += v.reasons.map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }
}
