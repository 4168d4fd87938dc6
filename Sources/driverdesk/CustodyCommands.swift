import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    struct VisitCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "visit", abstract: "A car's stay in the shop, check-in to check-out.", subcommands: [Checkin.self, Checkout.self, Reopen.self, Plan.self, Report.self, Edit.self])

        struct Checkin: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "checkin", abstract: "The car is now in the shop's custody.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "When (default now).") var at: String?
            @Option(help: "The repair order number.") var order: String?
            @Option(help: "What the car is checked in for: road-test, parking, delivery, pickup or other (repeat, or separate with commas). The answer says who can be registered on the car now (R3, R13) and whom to invite.")
            var plan: [String] = []
            @Flag(help: "With --plan: make the invite of the first suggested driver (or of --staff) right after the check-in.") var invite = false
            @Option(help: "With --plan: invite this staff member (number or unique name) instead of the first suggested.") var staff: String?
            @Option(help: "With --invite: write the invite to FILE.html (printable slip), FILE.svg (card) or FILE.png (QR).") var out: String?
            @Option(help: "With --invite: paper of the printed slip, a5 or 80mm (default a5).") var paper: String = "a5"
            @Option(help: "The odometer at check-in, in km (0 to 9999999).") var odometer: String?
            @Option(help: "The fuel gauge at check-in, in percent (0 to 100).") var fuel: String?

            /// The flags that go together (a DeskError, so that it reads in the person's language and exits 2).
            func checkFlags() throws {
                if plan.isEmpty, invite || staff != nil || out != nil {
                    throw DeskError.invalid(field: invite ? "invite" : staff != nil ? "staff" : "out", reason: Message("input.checkin.inviteNeedsPlan"))
                }
                if out != nil, !invite, staff == nil {
                    throw DeskError.invalid(field: "out", reason: Message("input.checkin.outNeedsInvite"))
                }
            }

            func run() throws {
                try checkFlags()
                let paper = try InviteDocument.Paper(parsing: paper)
                if let out { _ = try InviteFormat(path: out) }
                let desk = try global.desk()
                guard invite || staff != nil else {
                    let result = try desk.checkin(plate: plate, at: at, orderNo: order, plan: plan, odometer: odometer, fuel: fuel)
                    try global.output.print(result) {
                        // The check-in's line, its readings, then the plan's answer.
                        let lines = PlanText.describe(result).components(separatedBy: "\n")
                        return (lines.prefix(1) + VisitText.readings(odometer: result.visit.odometerIn, fuel: result.visit.fuelIn) + lines.dropFirst()).joined(separator: "\n")
                    }
                    return
                }
                // The check-in and the invite in one transaction: an invite the plan refuses leaves nothing written (exit 1),
                // and the refusal says how to check the car in.
                var result: CheckinView
                do {
                    let made = try desk.checkinAndInvite(plate: plate, at: at, orderNo: order, plan: plan, staff: staff, odometer: odometer, fuel: fuel)
                    result = made.checkin
                    if let out {
                        try desk.write(made.document, to: out, paper: paper)
                        result.invite?.out = out
                    }
                } catch let error as DeskError {
                    if case .refusedWith = error { Output.warn(Voice.say(Message("cli.visit.checkinNotWritten", ["plate": .text(plate)]))) }
                    throw error
                }
                for warning in result.invite?.warnings ?? [] { Output.warn(warning) }
                try global.output.print(result) { PlanText.describe(result) }
            }
        }

        struct Plan: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "plan", abstract: "The plan of a car in the shop: who can be registered on it now (R3, R13); with --plan or --clear and --reason, the plan corrected.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "The corrected plan: road-test, parking, delivery, pickup or other (repeat, or separate with commas).") var plan: [String] = []
            @Flag(help: "The visit has no plan after all.") var clear = false
            @Option(help: "Why the plan is corrected.") var reason: String?

            func run() throws {
                let desk = try global.desk()
                guard !plan.isEmpty || clear else {
                    if reason != nil { throw DeskError.invalid(field: "plan", reason: Message("input.plan.nothingToChange")) }
                    let answer = try desk.registrationPlan(plate: plate)
                    try global.output.print(answer) { PlanText.answerLines(answer, words: Voice.words).joined(separator: "\n") }
                    return
                }
                if clear, !plan.isEmpty { throw DeskError.invalid(field: "clear", reason: Message("input.plan.clearOrPlan")) }
                let result = try desk.changePlan(plate: plate, plan: plan, reason: reason)
                try global.output.print(result) {
                    var lines = [Voice.say(Message("cli.visit.planChanged", ["plate": .text(result.visit.plate), "visit": .number(Int(result.visit.id))]))]
                    if let answer = result.answer { lines += PlanText.answerLines(answer, words: Voice.words) }
                    return lines.joined(separator: "\n")
                }
            }
        }

        struct Checkout: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "checkout", abstract: "The car has left the shop.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "When (default now).") var at: String?
            @Option(help: "The odometer at check-out, in km: not lower than at check-in.") var odometer: String?
            @Option(help: "The fuel gauge at check-out, in percent (0 to 100).") var fuel: String?

            func run() throws {
                let visit = try global.desk().checkout(plate: plate, at: at, odometer: odometer, fuel: fuel)
                try global.output.print(visit) {
                    ([Voice.say(Message("cli.visit.checkedOut", ["plate": .text(visit.plate), "at": .text(short(visit.checkoutAt)), "visit": .number(Int(visit.id)), "since": .text(short(visit.checkinAt))]))]
                        + VisitText.readings(odometer: visit.odometerOut, fuel: visit.fuelOut, out: true)
                        + (visit.odometerOut != nil ? [Voice.say(Message("cli.visit.reportHint", ["plate": .text(visit.plate)]))] : [])).joined(separator: "\n")
                }
            }
        }

        struct Report: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "report", abstract: "The owner's custody report: every movement of the stay, the km driven and the km the movements cannot explain.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "The visit's number (default: the car's open visit, else its last one).") var visit: String?
            @Flag(help: "Print the short text for WeChat or SMS (Chinese first, English below).") var text = false
            @Option(help: "Write the printable page to FILE.html.") var out: String?
            @Option(help: "a5 or 80mm (with --out).") var paper: String = "80mm"
            @Flag(help: "The owner reads English: the page has each line in English under the Chinese.") var english = false

            func run() throws {
                let paper = try InviteDocument.Paper(parsing: paper)
                let desk = try global.desk()
                let report = try desk.visitReport(plate: plate, visit: visit)
                if let out { try desk.write(report, to: out, paper: paper, english: english) }
                if text && !global.output.json {
                    FileHandle.standardOutput.write(Data((report.text + "\n").utf8))
                    return
                }
                try global.output.print(report) { VisitText.report(report, out: out) }
            }
        }

        struct Edit: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "edit", abstract: "Correct a visit's odometer or fuel readings, with the reason (a manager).")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "The visit's number (default: the car's open visit, else its last one).") var visit: String?
            @Option(help: "The odometer at check-in, in km (none: clear it).") var odometerIn: String?
            @Option(help: "The odometer at check-out, in km (none: clear it).") var odometerOut: String?
            @Option(help: "The fuel gauge at check-in, in percent (none: clear it).") var fuelIn: String?
            @Option(help: "The fuel gauge at check-out, in percent (none: clear it).") var fuelOut: String?
            @Option(help: "Why the reading is corrected.") var reason: String?

            func run() throws {
                let v = try global.desk().editVisit(plate: plate, visit: visit, odometerIn: odometerIn, odometerOut: odometerOut, fuelIn: fuelIn, fuelOut: fuelOut, reason: reason)
                try global.output.print(v) {
                    ([Voice.say(Message("cli.visit.edited", ["plate": .text(v.plate), "visit": .number(Int(v.id))]))]
                        + VisitText.readings(odometer: v.odometerIn, fuel: v.fuelIn) + VisitText.readings(odometer: v.odometerOut, fuel: v.fuelOut, out: true)).joined(separator: "\n")
                }
            }
        }
    }

    struct MoveCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move", abstract: "Who drives which customer car, when.", subcommands: [Start.self, End.self, Log.self, List.self, Void.self, Edit.self])

        struct Start: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "start", abstract: "A staff member starts driving a car.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "The staff member's number or unique name.") var staff: String
            @Option(help: "road-test, parking, delivery, pickup or other.") var purpose: String?
            @Option(help: "When (default now).") var at: String?

            func run() throws {
                let m = try global.desk().startMovement(plate: plate, staff: staff, purpose: purpose, at: at)
                for warning in m.warnings { Output.warn(warning) }
                try global.output.print(m) { Voice.say(Message("cli.move.started", ["staff": .text(m.staff.name), "plate": .text(m.plate), "at": .text(short(m.startAt)), "purpose": .term("purpose", m.purpose), "movement": .number(Int(m.id))])) }
            }
        }

        struct End: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "end", abstract: "The movement in progress on a car ends.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "When (default now).") var at: String?

            func run() throws {
                let m = try global.desk().endMovement(plate: plate, at: at)
                try global.output.print(m) {
                    Voice.say(Message("cli.move.ended", ["staff": .text(m.staff.name), "plate": .text(m.plate), "from": .text(short(m.startAt)), "to": .text(short(m.endAt)), "minutes": .minutes(m.minutes ?? 0), "movement": .number(Int(m.id))]))
                }
            }
        }

        struct Log: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "log", abstract: "Record a movement that has already ended.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The plate.") var plate: String
            @Option(help: "The staff member's number or unique name.") var staff: String
            @Option(help: "When the movement started.") var from: String
            @Option(help: "When it ended.") var to: String
            @Option(help: "road-test, parking, delivery, pickup or other.") var purpose: String?

            func run() throws {
                let m = try global.desk().logMovement(plate: plate, staff: staff, from: from, to: to, purpose: purpose)
                for warning in m.warnings { Output.warn(warning) }
                try global.output.print(m) {
                    Voice.say(Message("cli.move.logged", ["staff": .text(m.staff.name), "plate": .text(m.plate), "from": .text(short(m.startAt)), "to": .text(short(m.endAt)), "purpose": .term("purpose", m.purpose), "movement": .number(Int(m.id))]))
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List movements, newest first.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Only this car.") var plate: String?
            @Option(help: "Only this staff member.") var staff: String?
            @Option(help: "Only movements at or after this time (or date).") var from: String?
            @Option(help: "Only movements at or before this time (or date).") var to: String?
            @Flag(help: "Show voided movements too, marked.") var voided = false

            func run() throws {
                let movements = try global.desk().movements(plate: plate, staff: staff, from: from, to: to, voided: voided)
                try global.output.print(movements) { MovementText.table(movements) }
            }
        }
    }

    struct Who: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "who", abstract: "Who was driving a car at a time (R2).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The plate.") var plate: String
        @Option(help: "The time, e.g. \"2026-11-20 14:05\".") var at: String
        @Flag(help: "Ask about a parking violation (driver absent): whoever parked the car last.") var parking = false

        func run() throws {
            let answer = try global.desk().who(plate: plate, at: at, parking: parking)
            try global.output.print(answer) {
                let words = Voice.words
                var lines = [
                    "\(answer.plate) · \(short(answer.at))",
                    words.line("driver", answer.driver.map { "\($0.name) (#\($0.id))" } ?? words.label("nobody")),
                    words.line("attribution", words.term("attribution", answer.attribution)),
                    words.line("review", words.label(answer.needsReview ? "reviewNeeded" : "reviewNotNeeded")),
                    words.label("why") + (words.language == .zhHans ? "：" : ":"),
                ]
                lines += answer.reasons.map { "  - \($0)" }
                return lines.joined(separator: "\n")
            }
        }
    }
}

/// A visit's readings and its custody report, as the command line prints them.
enum VisitText {
    /// "里程 12,345 公里 · 油量 50%", or nothing when no reading was taken.
    static func readings(odometer: Int?, fuel: Int?, out: Bool = false) -> [String] {
        guard odometer != nil || fuel != nil else { return [] }
        let km = odometer.map(CustodyReportDocument.grouped) ?? "-", gauge = fuel.map { "\($0)%" } ?? "-"
        let said = out ? Message("cli.visit.readingsOut", ["odometer": .text(km), "fuel": .text(gauge)]) : Message("cli.visit.readingsIn", ["odometer": .text(km), "fuel": .text(gauge)])
        return ["  " + Voice.say(said)]
    }

    static func report(_ r: VisitReportView, out: String?) -> String {
        let words = Voice.words
        var lines = ["\(r.plate) · \(r.owner) · \(short(r.checkin)) → \(r.checkout.map { short($0) } ?? words.label("inShop"))"]
        lines += readings(odometer: r.odometerIn, fuel: r.fuelIn) + readings(odometer: r.odometerOut, fuel: r.fuelOut, out: true)
        var table = Table(words.label("columnStaff"), words.label("columnPurpose"), words.label("columnStart"), words.label("columnEnd"), words.label("columnMinutes"))
        for m in r.movements {
            table.add(m.staff.name, words.term("purpose", m.purpose), short(m.start), m.inProgress ? words.label("driving") : short(m.end), String(m.minutes))
        }
        lines.append(r.movements.isEmpty ? "  " + words.label("none") : table.render(indent: "  "))
        // The unexplained km get a line of their own below, not a bullet among the reasons.
        lines += zip(r.reasons, r.reasonCodes).filter { $0.1 != "custody.kmUnexplained" }.map { "  - \($0.0)" }
        if let km = r.unexplainedKm, km > 0 { lines.append(Voice.say(Message("cli.visit.unexplained", ["km": .number(km), "plate": .text(r.plate)]))) }
        if let out { lines.append(Voice.say(Message("cli.visit.reportWritten", ["out": .text(out)]))) }
        return lines.joined(separator: "\n")
    }
}

/// Movements as a table.
enum MovementText {
    static func table(_ movements: [MovementView], indent: String = "") -> String {
        let words = Voice.words
        guard !movements.isEmpty else { return indent + words.label("none") }
        var table = Table("#", words.label("columnPlate"), words.label("columnStaff"), words.label("columnPurpose"), words.label("columnStart"),
                          words.label("columnEnd"), words.label("columnMinutes"))
        for m in movements {
            table.add(String(m.id), m.plate, m.staff.name, words.term("purpose", m.purpose), short(m.startAt),
                      m.voided ? words.label("voided") : m.inProgress ? words.label("driving") : short(m.endAt), m.minutes.map(String.init) ?? "-")
        }
        return table.render(indent: indent)
    }
}
