import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// A staff member's page: licence, points, slots, registrations, violations, movements; a manager corrects him here.
    func staffMemberPage(_ id: String, context: WebContext, form: [String: String], error: (any Error)?) async throws -> HTML {
        let desk = self.desk(context)
        let detail = try desk.showStaff(id)
        let s = detail.staff
        let violations = try desk.violationList(status: nil).filter { $0.driver?.id == s.id }
        let config = try self.config()
        let words = try self.words(context)
        let problem = error.map { self.problem($0, context) }
        return try await self.page("staff-member", nav: "staff", title: "staff.title", [
            "id": s.id, "name": s.name, "idNumber": IDNumber.mask(s.idNumber), "licenseClass": s.licenseClass, "firstIssued": s.licenseFirstIssued,
            "validUntil": s.licenseValidUntil, "licenseValid": s.licenseValid, "phone": s.phone ?? "", "active": s.active, "mayNotDrive": s.mayNotDrive ?? "",
            "points": WebApp.pointsBar(s.pointsThisCycle ?? 0, max: config.int(.scoringCycleMax)), "cycleEnd": s.cycleEnd ?? "",
            "slots": words.slots(detail.slots),
            "classes": LicenseClass.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == (form["licenseClass"] ?? s.licenseClass)] },
            "form": ["name": form["name"] ?? s.name, "phone": form["phone"] ?? s.phone ?? "", "licenseFirstIssued": form["licenseFirstIssued"] ?? s.licenseFirstIssued,
                     "licenseValidUntil": form["licenseValidUntil"] ?? s.licenseValidUntil],
            "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
            "registrations": detail.registrations.map { ["ref": $0.ref, "plate": $0.plate, "status": $0.status, "statusText": words.term("registrationStatus", $0.status),
                                                         "method": words.term("method", $0.method)] },
            "movements": detail.movements.prefix(20).map { ["id": $0.id, "plate": $0.plate, "purpose": words.term("purpose", $0.purpose), "start": WebApp.shortTime($0.startAt), "end": WebApp.shortTime($0.endAt)] },
            "violations": violations.map { ["id": $0.id, "plate": $0.plate, "when": WebApp.shortTime($0.occurredAt), "code": $0.code, "points": $0.points,
                                            "status": words.term("violationStatus", $0.status)] },
        ], context: context, status: error == nil ? .ok : .badRequest)
    }

    /// The staff: searched by name or phone, by name in the language's order (拼音), 50 a page; slots read for the
    /// page's rows only.
    func staffPage(context: WebContext, form: [String: String], error: (any Error)?, listing: Listing? = nil) async throws -> HTML {
        let desk = desk(context)
        let config = try config()
        let today = config.time.civilDate(of: desk.now)
        let problem = error.map { self.problem($0, context) }
        let words = try words(context)
        let language = try language(context)
        let listing = listing ?? Listing(path: "/staff", query: "", page: 1)
        let (staff, list) = listing.apply(try desk.staffList(), texts: { [$0.name, $0.phone ?? ""] }, sortKey: \.name, language: language,
                                          pages: pages, unit: "unitStaff", hint: "staffHint")
        let rows: [[String: Any]] = staff.map { s in
            var row: [String: Any] = ["id": s.id, "name": s.name, "idNumber": s.idNumber, "licenseClass": s.licenseClass, "validUntil": s.licenseValidUntil,
                                      "licenseValid": s.licenseValid, "active": s.active, "phone": s.phone ?? "", "mayNotDrive": s.mayNotDrive ?? ""]
            row["points"] = WebApp.pointsBar(s.pointsThisCycle ?? 0, max: config.int(.scoringCycleMax))
            row["slots"] = (try? desk.slots(staffId: s.id, on: today)).map(words.slots) ?? ""
            return row
        }
        return try await page("staff", nav: "staff", title: "staff.title", [
            "staff": rows, "list": list, "classes": LicenseClass.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == (form["licenseClass"] ?? "C1")] },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
        ], context: context, status: error == nil ? .ok : .badRequest)
    }

    /// Points against the cycle's maximum, for a bar: green, orange from half, red near the end.
    static func pointsBar(_ points: Int, max: Int) -> [String: Any] {
        let percent = max > 0 ? min(100, points * 100 / max) : 0
        return ["points": points, "max": max, "percent": percent, "level": points * 4 >= max * 3 ? "bad" : points * 2 >= max ? "warn" : "ok"]
    }
}

/// Staff: the list with points against 12 and slots, an add form, each staff member's page.
struct StaffController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/staff") { request, context in
                try await app.staffPage(context: context, form: [:], error: nil, listing: Listing(path: "/staff", request: request))
            }
            router.post("/staff") { request, context in
                let form = app.form(context)
                do {
                    let staff = try app.desk(context).addStaff(name: form["name"] ?? "", idNumber: form["idNumber"] ?? "", licenseClass: form["licenseClass"] ?? "",
                                                                licenseFirstIssued: form["licenseFirstIssued"] ?? "", licenseValidUntil: form["licenseValidUntil"] ?? "",
                                                                phone: form["phone"])
                    return await app.redirect("/staff/\(staff.id)", flash: app.saved("\(staff.name)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.staffPage(context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            router.get("/staff/{id}") { _, context in
                try await app.staffMemberPage(app.parameter("id", context), context: context, form: [:], error: nil)
            }
            router.post("/staff/{id}/deactivate") { request, context in
                let id = app.parameter("id", context)
                let staff = try app.desk(context).deactivateStaff(id)
                return await app.redirect("/staff/\(staff.id)", flash: app.saved("\(staff.name)", context), context: context)
            }
        return router
    }
}
