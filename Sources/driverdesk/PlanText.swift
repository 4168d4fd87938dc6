import DriverDeskApp
import Foundation

/// The check-in's answer as text: the visit, then with a plan who can be registered (best first, each with his reasons
/// and the command that invites him), who cannot be and why, who needs none; then the invite made, if any.
enum PlanText {
    static func describe(_ result: CheckinView) -> String {
        let words = Voice.words
        let visit = result.visit
        var lines = [Voice.say(Message("cli.visit.checkedIn", ["plate": .text(visit.plate), "at": .text(short(visit.checkinAt)), "visit": .number(Int(visit.id))]))]
        if let answer = result.answer {
            lines += answerLines(answer, words: words)
        }
        if let view = result.invite {
            let r = view.registration
            lines.append("")
            lines.append(Voice.say(Message("cli.register.invited", ["ref": .text(r.ref), "staff": .text(r.staff.name), "plate": .text(r.plate), "owner": .text(r.owner), "method": .term("method", r.method), "expires": .text(r.expiresOn ?? "-")])))
            if let out = view.out { lines.append(Voice.say(Message("cli.written", ["out": .text(out)]))) }
            lines += ["", view.text]
        }
        return lines.joined(separator: "\n")
    }

    static func answerLines(_ answer: PlanView, words: Catalogue) -> [String] {
        var lines: [String] = []
        let purposes = answer.plan.map { words.term("purpose", $0) }
        lines.append(Voice.say(Message("cli.plan.planned", ["plate": .text(answer.plate), "plan": .names(purposes), "left": .number(answer.driversLeft)])))
        lines.append(Voice.heading("planSuggested", answer.suggestedDrivers.count))
        if answer.suggestedDrivers.isEmpty { lines.append("  " + words.label("none")) }
        for (index, driver) in answer.suggestedDrivers.enumerated() {
            lines.append("  \(index + 1). \(driver.staff.name) (#\(driver.staff.id)) · " + Voice.say(Message("cli.plan.slots", ["active": .number(driver.activeLeft), "year": .number(driver.yearLeft)])))
            lines += driver.reasons.map { "     - \($0)" }
            lines.append("     " + Voice.say(Message("cli.plan.next", ["plate": .text(answer.plate), "staff": .number(Int(driver.staff.id))])))
        }
        if !answer.cannotRegister.isEmpty {
            lines.append(Voice.heading("planCannot", answer.cannotRegister.count))
            for refusal in answer.cannotRegister {
                lines.append("  \(refusal.staff.name) (#\(refusal.staff.id)) (\(refusal.rules.joined(separator: ", ")))")
                lines += refusal.reasons.map { "     - \($0)" }
            }
        }
        if !answer.alreadyRegistered.isEmpty {
            lines.append(Voice.heading("planRegistered", answer.alreadyRegistered.count))
            for registered in answer.alreadyRegistered {
                lines += registered.reasons.map { "  - \($0)" }
            }
        }
        return lines
    }
}
