import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// The custody report on the web (R14): readings on the check-in and check-out forms, the report page with its print
/// views and the owner's text, the correction of a reading, the manager's list on the dashboard.
@Suite("Web: the custody report")
struct CustodyReportPageTests {
    static let huB = "/vehicles/%E6%B2%AAB88888"
    static let jingA = "/vehicles/%E4%BA%ACA12345"

    @Test("check-in and check-out forms take the odometer and fuel; bad values and a lower odometer are refused naming the field, nothing written", arguments: Backend.allCases)
    func forms(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let page = try await browser.get(Self.huB)
            #expect(page.body.contains("name=\"odometer\"") && page.body.contains("name=\"fuel\"") && page.body.contains("action=\"/vehicles/%E6%B2%AAB88888/checkin\""))
            let visits = try shop.count("visit")
            let bad = try await browser.post(Self.huB + "/checkin", ["at": "2026-11-20 10:00", "odometer": "12.5", "fuel": "50"])
            #expect(bad.status == .badRequest && bad.body.contains("里程") && bad.body.contains("12.5") && bad.body.contains("value=\"12.5\""), "the typed reading stays in its field")
            let badFuel = try await browser.post(Self.huB + "/checkin", ["at": "2026-11-20 10:00", "odometer": "800", "fuel": "150"])
            #expect(badFuel.status == .badRequest && badFuel.body.contains("油量"))
            #expect(try shop.count("visit") == visits)
            let done = try await browser.post(Self.huB + "/checkin", ["at": "2026-11-20 10:00", "odometer": "800", "fuel": "60"])
            #expect(done.status == .seeOther)
            let visit = try #require(try shop.desk.showVehicle("沪B88888").visits.first)
            #expect(visit.odometerIn == 800 && visit.fuelIn == 60)
            // The check-out form, in the shop now: a lower odometer names the field and gives both readings.
            let inShop = try await browser.get(Self.huB)
            #expect(inShop.body.contains("action=\"/vehicles/%E6%B2%AAB88888/checkout\"") && inShop.body.contains("name=\"odometer\""))
            let audits = try shop.count("audit")
            let lower = try await browser.post(Self.huB + "/checkout", ["at": "2026-11-20 11:00", "odometer": "790", "fuel": "50"])
            #expect(lower.status == .badRequest && lower.body.contains("790") && lower.body.contains("800") && lower.body.contains("里程"))
            #expect(try shop.count("audit") == audits && (try shop.desk.showVehicle("沪B88888").vehicle.inShop))
            let out = try await browser.post(Self.huB + "/checkout", ["at": "2026-11-20 11:00", "odometer": "830", "fuel": "50"])
            #expect(out.status == .seeOther)
            #expect(try shop.desk.showVehicle("沪B88888").visits.first?.odometerOut == 830)
            // The car's page shows the readings and links the visit to its report.
            let shown = try await browser.get(Self.huB)
            #expect(shown.body.contains("800 km 60% → 830 km 50%") && shown.body.contains("href=\"/visits/\(visit.id)/report\""), "\(shown.body)")
        }
    }

    @Test("the report page: movements, km driven, the unexplained km flagged; print views at 80 mm and A5; the owner's text; the dashboard's list links to it", arguments: Backend.allCases)
    func reportPage(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        let desk = shop.desk
        _ = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 09:30", to: "2026-11-20 09:50", purpose: "road-test")
        _ = try desk.editVisit(plate: "京A12345", visit: nil, odometerIn: "12345", odometerOut: nil, fuelIn: nil, fuelOut: nil, reason: "进店里程补记")
        let visit = try desk.checkout(plate: "京A12345", at: "2026-11-20 11:00", odometer: "12400", fuel: nil)
        try await shop.test { browser in
            let page = try await browser.get("/visits/\(visit.id)/report")
            #expect(page.status == .ok)
            #expect(page.body.contains("王磊") && page.body.contains("路试") && page.body.contains("12,345 km") && page.body.contains("12,400 km"))
            #expect(page.body.contains("data-flag=\"unexplained\"") && page.body.contains("32 km"), "55 km against 20 + 3 explained: 32 unexplained")
            #expect(page.body.contains("<pre class=\"sms\">【测试汽修】") && page.body.contains("href=\"/visits/\(visit.id)/report/print?paper=80mm\"")
                    && page.body.contains("href=\"/visits/\(visit.id)/report/print?paper=a5\""))
            #expect(!page.body.contains("110105198803124111"), "no ID number (R12)")
            let roll = try await browser.get("/visits/\(visit.id)/report/print?paper=80mm")
            #expect(roll.status == .ok && roll.body.contains("size: 80mm") && roll.body.contains("车辆在店记录") && roll.body.contains("有 32 公里无法由移车记录解释"))
            let sheet = try await browser.get("/visits/\(visit.id)/report/print?paper=a5&lang=en")
            #expect(sheet.body.contains("size: A5") && !sheet.body.contains(".en { display: none"))
            let a4 = try await browser.get("/visits/\(visit.id)/report/print?paper=a4")
            #expect(a4.status == .badRequest)
            let missing = try await browser.get("/visits/999/report")
            #expect(missing.status == .badRequest || missing.status == .notFound, "\(missing.status)")
            let dashboard = try await browser.get("/")
            #expect(dashboard.body.contains("id=\"unexplained-km\"") && dashboard.body.contains("href=\"/visits/\(visit.id)/report\">京A12345</a>") && dashboard.body.contains("<b>32 km</b>"))
        }
    }

    @Test("a reading corrected on the report page, with a reason (audited); without one refused, nothing written; the flag follows", arguments: Backend.allCases)
    func correction(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        let desk = shop.desk
        let visit = try desk.checkout(plate: "京A12345", at: "2026-11-20 11:00", odometer: "12400", fuel: "40")
        try await shop.test { browser in
            let page = try await browser.get("/visits/\(visit.id)/report")
            #expect(page.body.contains("action=\"/visits/\(visit.id)/edit\"") && page.body.contains("name=\"odometerIn\""))
            let audits = try shop.count("audit")
            let noReason = try await browser.post("/visits/\(visit.id)/edit", ["odometerIn": "12390", "odometerOut": "12400", "fuelIn": "", "fuelOut": "40", "reason": ""])
            #expect(noReason.status == .badRequest && noReason.body.contains("data-field=\"reason\""))
            let backwards = try await browser.post("/visits/\(visit.id)/edit", ["odometerIn": "12500", "odometerOut": "12400", "fuelIn": "", "fuelOut": "40", "reason": "补记"])
            #expect(backwards.status == .badRequest && backwards.body.contains("data-field=\"odometer-in\"") && backwards.body.contains("value=\"12500\""))
            #expect(try shop.count("audit") == audits)
            let done = try await browser.post("/visits/\(visit.id)/edit", ["odometerIn": "12390", "odometerOut": "12400", "fuelIn": "", "fuelOut": "40", "reason": "进店里程补记"])
            #expect(done.status == .seeOther && done.location == "/visits/\(visit.id)/report")
            #expect(try shop.count("audit") == audits + 1)
            let report = try desk.visitReport(plate: "京A12345", visit: nil)
            #expect(report.odometerIn == 12_390 && report.odometerOut == 12_400 && report.fuelOut == 40 && report.unexplainedKm == 7)
            #expect(try desk.audit(since: nil).last?.action == "visit.edit")
        }
    }
}
