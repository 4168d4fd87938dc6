import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

@Suite("Web: registrations planned at check-in (R3, R13)")
struct PlanPageTests {
    @Test("check-in with a road test planned: the answer page ranks the drivers with their reasons; the invite button makes the invite and opens its slip", arguments: Backend.allCases)
    func checkinWithPlan(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let car = try await browser.get("/vehicles/%E6%B2%AAB88888")
            // The check-in form offers the plan's purposes, in the page's language.
            #expect(car.body.contains(#"name="plan-road-test""#) && car.body.contains("路试"))
            let checkin = try await browser.post("/vehicles/%E6%B2%AAB88888/checkin", ["order": "WO-9", "plan-road-test": "1", "plan-delivery": "1"])
            #expect(checkin.status == .seeOther)
            #expect(checkin.location == "/vehicles/%E6%B2%AAB88888/plan")
            #expect(try shop.desk.showVehicle("沪B88888").visits.first?.plan == ["road-test", "delivery"])

            let answer = try await browser.get("/vehicles/%E6%B2%AAB88888/plan")
            #expect(answer.status == .ok)
            #expect(answer.body.contains("路试 · 送车"))
            // Both may be registered; the reasons are sentences in Chinese, with a button each.
            #expect(answer.body.contains("王磊还可同时备案 3/3 辆"))
            #expect(answer.body.contains("李强还可同时备案 3/3 辆"))
            #expect(answer.body.components(separatedBy: #"action="/vehicles/%E6%B2%AAB88888/plan/invite""#).count == 3)
            #expect(!answer.body.contains("plan.") && !answer.body.contains("road-test<"))

            // The dashboard lists the car: planned for a road test, nobody registered yet, the suggested driver's invite
            // (neither drove nor logged in today, both have every slot: the first by name).
            let dashboard = try await browser.get("/")
            #expect(dashboard.body.contains("计划路试、还没有可驾驶的备案驾驶人"))
            #expect(dashboard.body.contains(#"href="/vehicles/%E6%B2%AAB88888/plan""#) && dashboard.body.contains("邀请 李强"))

            _ = try await browser.get("/vehicles/%E6%B2%AAB88888/plan")
            let invite = try await browser.post("/vehicles/%E6%B2%AAB88888/plan/invite", ["staff": "1", "paper": "80mm"])
            #expect(invite.status == .seeOther)
            let location = try #require(invite.location)
            #expect(location.hasPrefix("/invites/INV-") && location.hasSuffix("/print?paper=80mm"))
            let slip = try await browser.get(location)
            #expect(slip.status == .ok && slip.body.contains("王磊") && slip.body.contains("沪B88888") && slip.body.contains("<svg"))

            // Asked again: 王磊 needs none now; a second invite of him is refused on the page with the reason.
            let again = try await browser.get("/vehicles/%E6%B2%AAB88888/plan")
            #expect(again.body.contains("不需要备案") && again.body.contains("王磊在沪B88888 上已有备案"))
            let twice = try await browser.post("/vehicles/%E6%B2%AAB88888/plan/invite", ["staff": "1", "paper": "a5"])
            #expect(twice.status == .conflict)
            #expect(twice.body.contains("不需要再备案"))
        }
    }

    @Test("a check-in without a plan goes back to the car's page as before; the answer page of a car not in the shop is a refusal", arguments: Backend.allCases)
    func withoutPlan(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/vehicles/%E6%B2%AAB88888")
            let outside = try await browser.get("/vehicles/%E6%B2%AAB88888/plan")
            #expect(outside.status == .conflict)
            let checkin = try await browser.post("/vehicles/%E6%B2%AAB88888/checkin", ["order": "WO-9"])
            #expect(checkin.location == "/vehicles/%E6%B2%AAB88888")
            #expect(try shop.desk.showVehicle("沪B88888").visits.first?.plan == [])
            let dashboard = try await browser.get("/")
            #expect(!dashboard.body.contains("计划路试"))
        }
    }

    @Test("in English: the answer page speaks English, with no raw keys")
    func english() async throws {
        let shop = try WebHarness()
        _ = try shop.desk.setSetting(key: "ui.language", value: "en")
        try await shop.test { browser in
            _ = try await browser.get("/vehicles/%E6%B2%AAB88888")
            _ = try await browser.post("/vehicles/%E6%B2%AAB88888/checkin", ["plan-road-test": "1"])
            let answer = try await browser.get("/vehicles/%E6%B2%AAB88888/plan")
            #expect(answer.body.contains("Suggested drivers") && answer.body.contains("王磊 has 3 of 3 active registrations"))
            #expect(answer.body.contains("Invite and print (80 mm)"))
            #expect(!answer.body.contains("plan.") && !answer.body.contains("还可"))
        }
    }
}
