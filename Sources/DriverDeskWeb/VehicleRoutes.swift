import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// The cars: searched, paged, by plate in the language's order; the add form (filled with a plate that was not
    /// found, `?add=`).
    func vehiclesPage(context: WebContext, form: [String: String], error: (any Error)?, listing: Listing? = nil,
                      notFound: String? = nil) async throws -> HTML {
        let vehicles = try desk(context).vehicleList()
        let words = try words(context)
        let language = try language(context)
        let problem = error.map { self.problem($0, context) }
        let listing = listing ?? Listing(path: "/vehicles", query: "", page: 1)
        let (rows, list) = listing.apply(vehicles, texts: { [$0.plate, $0.owner, $0.ownerPhone ?? ""] }, sortKey: \.plate, language: language,
                                         pages: pages, unit: "unitVehicles", hint: "vehiclesHint")
        var form = form
        if let notFound { form["plate"] = notFound }
        return try await page("vehicles", nav: "vehicles", title: "vehicles.title", [
            "vehicles": rows.map { v in
                ["plate": v.plate, "path": WebApp.pathEncode(v.plate), "owner": v.owner, "phone": v.ownerPhone ?? "",
                 "usage": words.term("usage", v.usage), "size": words.term("size", v.size), "inShop": v.inShop] as [String: Any]
            },
            "list": list, "notFound": notFound.map { pages.text("vehicles.notFound", language, ["plate": $0]) } ?? "",
            "usages": VehicleUsage.allCases.map { ["value": $0.rawValue, "label": words.term("usage", $0.rawValue), "selected": $0.rawValue == form["usage"]] },
            "sizes": VehicleSize.allCases.map { ["value": $0.rawValue, "label": words.term("size", $0.rawValue), "selected": $0.rawValue == form["size"]] },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
        ], context: context, status: notFound != nil ? .notFound : error == nil ? .ok : .badRequest)
    }

    func vehiclePage(_ plate: String, context: WebContext, error: (any Error)?, form: [String: String] = [:]) async throws -> HTML {
        let desk = desk(context)
        let detail = try desk.showVehicle(plate)
        let violations = try desk.violationList(status: nil).filter { $0.plate == detail.vehicle.plate }
        let problem = error.map { self.problem($0, context) }
        // The timeline: visits, movements, registrations and violations of the car, newest first.
        let words = try words(context)
        var events: [(String, [String: Any])] = []
        for v in detail.visits {
            // The readings taken (R14): "12,345 km 50% → 12,380 km 40%"; the visit links to its custody report.
            let odometer = { (km: Int?, fuel: Int?) in [km.map { CustodyReportDocument.grouped($0) + " km" }, fuel.map { "\($0)%" }].compactMap { $0 }.joined(separator: " ") }
            let readings = [odometer(v.odometerIn, v.fuelIn), odometer(v.odometerOut, v.fuelOut)]
            let readingText = readings.allSatisfy(\.isEmpty) ? "" : " · \(readings[0].isEmpty ? "–" : readings[0]) → \(readings[1].isEmpty ? "–" : readings[1])"
            let plan = v.plan.isEmpty ? "" : " · " + v.plan.map { words.term("purpose", $0) }.joined(separator: " · ")
            events.append((v.checkinAt, ["when": WebApp.shortTime(v.checkinAt), "kind": "visit", "link": "/visits/\(v.id)/report",
                                         "text": "⤓ \(v.orderNo ?? "") → \(v.open ? "…" : WebApp.shortTime(v.checkoutAt))\(readingText)\(plan)"]))
        }
        for m in detail.movements {
            events.append((m.startAt, ["when": WebApp.shortTime(m.startAt), "kind": "movement", "link": "/moves/\(m.id)", "text": "🚗 \(m.staff.name) · \(words.term("purpose", m.purpose)) · \(m.inProgress ? "…" : WebApp.shortTime(m.endAt))"]))
        }
        for r in detail.registrations {
            events.append((r.invitedAt, ["when": WebApp.shortTime(r.invitedAt), "kind": "registration", "text": "📝 \(r.ref) · \(r.staff.name) · \(words.term("registrationStatus", r.status))", "link": "/invites/\(r.ref)"]))
        }
        for v in violations {
            events.append((v.occurredAt, ["when": WebApp.shortTime(v.occurredAt), "kind": "violation", "text": "📷 #\(v.id) \(v.code) · \(v.points) · \(words.money(yuan: v.fineYuan)) · \(v.driver?.name ?? "-") · \(words.term("violationStatus", v.status))", "link": "/violations/\(v.id)"]))
        }
        events.sort { $0.0 > $1.0 }
        let v = detail.vehicle
        return try await page("vehicle", nav: "vehicles", title: "vehicles.title", [
            "plate": v.plate, "path": WebApp.pathEncode(v.plate), "owner": v.owner, "phone": v.ownerPhone ?? "", "usage": words.term("usage", v.usage), "size": words.term("size", v.size),
            "engine": v.engineLast6 ?? "", "inShop": v.inShop, "drivers": detail.drivers, "driversLimit": detail.driversLimit,
            "events": events.map(\.1), "staff": try desk.staffList().filter(\.active).map { ["id": $0.id, "name": $0.name] },
            "error": problem?.message ?? "", "hasError": problem != nil,
            "canReopen": !v.inShop && !detail.visits.isEmpty,
            "purposes": MovementPurpose.allCases.map { ["value": $0.rawValue, "label": words.term("purpose", $0.rawValue)] },
            "planText": v.inShop ? (detail.visits.first?.plan ?? []).map { purpose in words.term("purpose", purpose) }.joined(separator: " · ") : "",
            "lastVisit": detail.visits.first.map { $0.id } ?? 0, "hasVisit": !detail.visits.isEmpty,
            "readings": ["odometer": form["odometer"] ?? "", "fuel": form["fuel"] ?? ""],
            "form": ["owner": form["owner"] ?? v.owner, "ownerPhone": form["ownerPhone"] ?? v.ownerPhone ?? "", "engineLast6": form["engineLast6"] ?? v.engineLast6 ?? ""],
            "usages": VehicleUsage.allCases.map { ["value": $0.rawValue, "label": words.term("usage", $0.rawValue), "selected": $0.rawValue == (form["usage"] ?? v.usage)] },
            "sizes": VehicleSize.allCases.map { ["value": $0.rawValue, "label": words.term("size", $0.rawValue), "selected": $0.rawValue == (form["size"] ?? v.size)] },
        ], context: context, status: error == nil ? .ok : ((error as? DeskError)?.exitCode == 1 ? .conflict : .badRequest))
    }

    static func pathEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }
}

/// Vehicles: the list with an add form, each car's timeline, check-in and check-out, its key tag.
struct VehicleController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/vehicles") { request, context in
                let add = WebApp.queryValue("add", in: request.uri.query ?? "").map(WebApp.shown)
                return try await app.vehiclesPage(context: context, form: add.map { ["plate": $0] } ?? [:], error: nil,
                                                  listing: Listing(path: "/vehicles", request: request))
            }
            router.post("/vehicles") { request, context in
                let form = app.form(context)
                do {
                    let vehicle = try app.desk(context).addVehicle(plate: form["plate"] ?? "", owner: form["owner"] ?? "", ownerPhone: form["ownerPhone"],
                                                                    engineLast6: form["engineLast6"], usage: form["usage"], size: form["size"])
                    return await app.redirect("/vehicles/\(WebApp.pathEncode(vehicle.plate))", flash: app.saved("\(vehicle.plate)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.vehiclesPage(context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            // A car that is not in the shop's list: the list, with the add form filled with its plate.
            router.get("/vehicles/{plate}") { request, context in
                let plate = app.parameter("plate", context)
                do {
                    return try await app.vehiclePage(plate, context: context, error: nil).response(from: request, context: context)
                } catch DeskError.notFound(let field, _) where field == "plate" {
                    return try await app.vehiclesPage(context: context, form: [:], error: nil, notFound: WebApp.shown(plate)).response(from: request, context: context)
                }
            }
            router.post("/vehicles/{plate}/checkin") { request, context in
                let plate = app.parameter("plate", context)
                do {
                    // The plan's boxes (`plan-road-test`, …): a check-in with a plan answers whom to register, on its own page.
                    let form = app.form(context)
                    let plan = MovementPurpose.allCases.map(\.rawValue).filter { form["plan-\($0)"] != nil }
                    let visit = try app.desk(context).checkin(plate: plate, at: form["at"], orderNo: form["order"], plan: plan, odometer: form["odometer"], fuel: form["fuel"]).visit
                    let page = plan.isEmpty ? "" : "/plan"
                    return await app.redirect("/vehicles/\(WebApp.pathEncode(visit.plate))\(page)", flash: app.saved("\(visit.plate) \(WebApp.shortTime(visit.checkinAt))", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.vehiclePage(plate, context: context, error: error, form: app.form(context).fields).response(from: request, context: context)
                }
            }
            router.post("/vehicles/{plate}/checkout") { request, context in
                let plate = app.parameter("plate", context)
                do {
                    let form = app.form(context)
                    let visit = try app.desk(context).checkout(plate: plate, at: form["at"], odometer: form["odometer"], fuel: form["fuel"])
                    return await app.redirect("/vehicles/\(WebApp.pathEncode(visit.plate))", flash: app.saved("\(visit.plate) \(WebApp.shortTime(visit.checkoutAt))", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.vehiclePage(plate, context: context, error: error, form: app.form(context).fields).response(from: request, context: context)
                }
            }
            // The check-in's answer: who can be registered on the car now, each suggestion with its invite button.
            router.get("/vehicles/{plate}/plan") { request, context in
                try await app.planPage(app.parameter("plate", context), context: context, error: nil).response(from: request, context: context)
            }
            // The invite made while the owner waits, then its print view (the slip, at the paper asked for).
            router.post("/vehicles/{plate}/plan/invite") { request, context in
                let plate = app.parameter("plate", context)
                let form = app.form(context)
                do {
                    let paper = try InviteDocument.Paper(parsing: form["paper"] ?? "80mm")
                    let (view, _) = try app.desk(context).planInvite(plate: plate, staff: form["staff"] ?? "")
                    return await app.redirect("/invites/\(view.registration.ref)/print?paper=\(paper.rawValue)",
                                              flash: ([app.saved(view.registration.ref, context)] + view.warnings).joined(separator: " "), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.planPage(plate, context: context, error: error).response(from: request, context: context)
                }
            }
            router.get("/vehicles/{plate}/tag") { request, context in
                let paper = try InviteDocument.Paper(parsing: request.uri.queryParameters["paper"].map(String.init) ?? "a5")
                let html = try app.desk(context).keyTagHTML(plate: app.parameter("plate", context), paper: paper)
                return HTML(text: html)
            }
        return router
    }
}
