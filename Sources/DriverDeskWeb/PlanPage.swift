import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// The check-in's answer (R3, R13): the plan of the car's visit, who can be registered on it now, best first, each
    /// with his reasons and a button that makes the invite and opens its slip; who cannot be and why; who needs none.
    func planPage(_ plate: String, context: WebContext, error: (any Error)?) async throws -> HTML {
        let answer = try desk(context).registrationPlan(plate: plate)
        let words = try words(context)
        let language = try language(context)
        let problem = error.map { self.problem($0, context) }
        let plan = answer.plan.map { words.term("purpose", $0) }.joined(separator: " · ")
        return try await page("plan", nav: "vehicles", title: "plan.title", [
            "plate": answer.plate, "path": WebApp.pathEncode(answer.plate),
            "lead": pages.text("plan.lead", language, ["plan": plan.isEmpty ? "—" : plan]),
            "noPlan": answer.plan.isEmpty,
            "driversLeft": pages.text("plan.driversLeft", language, ["left": String(answer.driversLeft), "method": words.term("method", answer.method)]),
            "suggested": answer.suggestedDrivers.enumerated().map { index, s in
                ["rank": index + 1, "id": s.staff.id, "name": s.staff.name, "reasons": s.reasons, "onShift": s.onShift, "first": index == 0,
                 "slots": pages.text("plan.slots", language, ["active": String(s.activeLeft), "year": String(s.yearLeft), "today": String(s.todayLeft)])] as [String: Any]
            },
            "hasSuggested": !answer.suggestedDrivers.isEmpty,
            "cannot": answer.cannotRegister.map { ["name": $0.staff.name, "rules": $0.rules.joined(separator: ", "), "reasons": $0.reasons] as [String: Any] },
            "hasCannot": !answer.cannotRegister.isEmpty,
            "registered": answer.alreadyRegistered.map { ["ref": $0.ref, "reasons": $0.reasons] as [String: Any] },
            "hasRegistered": !answer.alreadyRegistered.isEmpty,
            "error": problem?.message ?? "", "hasError": problem != nil,
        ], context: context, status: error == nil ? .ok : ((error as? DeskError)?.exitCode == 1 ? .conflict : .badRequest))
    }
}
