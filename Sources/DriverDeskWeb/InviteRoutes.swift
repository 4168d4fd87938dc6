import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// The invites and registrations, newest first: searched by reference, plate or staff member, 50 a page.
    func invitesPage(context: WebContext, form: [String: String], error: (any Error)?, listing: Listing? = nil) async throws -> HTML {
        let desk = desk(context)
        let problem = error.map { self.problem($0, context) }
        let listing = listing ?? Listing(path: "/invites", query: "", page: 1)
        let (rows, list) = listing.apply(try desk.registrationList(status: nil), texts: { [$0.ref, $0.plate, $0.staff.name] }, language: try language(context),
                                         pages: pages, unit: "unitInvites", hint: "invitesHint")
        let words = try words(context)
        return try await page("invites", nav: "invites", title: "invites.title", [
            "list": list,
            "registrations": rows.map { r in
                ["ref": r.ref, "plate": r.plate, "staff": r.staff.name, "method": words.term("method", r.method), "status": r.status,
                 "statusText": words.term("registrationStatus", r.status),
                 "invited": WebApp.shortTime(r.invitedAt), "expires": r.expiresOn ?? "", "active": WebApp.shortTime(r.activatedAt)] as [String: Any]
            },
            "staff": try desk.staffList().filter(\.active).map { ["id": String($0.id), "name": $0.name, "selected": String($0.id) == form["staff"]] as [String: Any] },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
        ], context: context, status: error == nil ? .ok : (error is DeskError && (error as! DeskError).exitCode == 1 ? .conflict : .badRequest))
    }

    /// An invite's page: its facts, each date labelled; the step its status calls for (confirm or cancel an invite;
    /// for a registration due for removal, the owner's text, the path in 12123 and the button that records it); the
    /// manager's corrections; the slip to print and the QR.
    func invitePage(_ ref: String, context: WebContext, error: (any Error)?, english: Bool = false) async throws -> HTML {
        let desk = desk(context)
        let document = try desk.inviteDocument(ref: ref)
        let view = document.registration
        let problem = error.map { self.problem($0, context) }
        let words = try words(context)
        let language = try language(context)
        var dates: [[String: String]] = [["label": pages.text("invites.invitedAt", language), "value": WebApp.shortTime(view.invitedAt)]]
        if view.status == "invited", let expires = view.expiresOn { dates.append(["label": pages.text("invites.expires", language), "value": expires]) }
        if view.activatedAt != nil { dates.append(["label": pages.text("invites.activatedAt", language), "value": WebApp.shortTime(view.activatedAt)]) }
        if view.removalDueAt != nil { dates.append(["label": pages.text("invites.removalDueAt", language), "value": WebApp.shortTime(view.removalDueAt)]) }
        if view.removedAt != nil { dates.append(["label": pages.text("invites.removedAt", language), "value": WebApp.shortTime(view.removedAt)]) }
        if view.cancelledAt != nil { dates.append(["label": pages.text("invites.cancelledAt", language), "value": WebApp.shortTime(view.cancelledAt)]) }
        if view.expiredAt != nil { dates.append(["label": pages.text("invites.expiredAt", language), "value": WebApp.shortTime(view.expiredAt)]) }
        let removal = view.status == "removalDue"
        return try await page("invite", nav: "invites", title: "invites.title", [
            "ref": view.ref, "plate": view.plate, "platePath": WebApp.pathEncode(view.plate), "owner": view.owner, "ownerPhone": document.ownerPhone ?? "",
            "staff": view.staff.name, "staffId": view.staff.id, "method": words.term("method", view.method),
            "status": view.status, "statusText": words.term("registrationStatus", view.status), "dates": dates,
            "canConfirm": view.status == "invited", "canCancel": view.status == "invited", "canRemove": view.status == "active",
            "removal": removal, "removalText": removal ? try document.removalText(templates: pages.templates, english: english) : "",
            "removalEnglish": english,
            "canUnconfirm": view.status == "active", "canUnremove": ["removed", "cancelled"].contains(view.status),
            "showInvite": view.status == "invited",
            "qrSVG": try document.qrCode().svg(moduleSize: 4, quietZone: 4), "text": view.status == "invited" ? try document.text(templates: pages.templates) : "",
            "error": problem?.message ?? "", "hasError": problem != nil,
        ], context: context, status: error == nil ? .ok : .conflict)
    }
}

/// Invites: new invite, the list, each invite with its print views, confirm by scanning the slip, removal.
struct InviteController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/invites") { request, context in
                let plate = request.uri.queryParameters["plate"].map { String($0).removingPercentEncoding ?? String($0) }
                return try await app.invitesPage(context: context, form: ["plate": plate ?? ""], error: nil, listing: Listing(path: "/invites", request: request))
            }
            router.post("/invites") { request, context in
                let form = app.form(context)
                do {
                    let (view, _) = try app.desk(context).invite(plate: form["plate"] ?? "", staff: form["staff"] ?? "", method: form["method"])
                    return await app.redirect("/invites/\(view.registration.ref)", flash: ([app.saved(view.registration.ref, context)] + view.warnings).joined(separator: " "), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.invitesPage(context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            // The slip's QR typed by a USB scanner (or the reference typed by hand) confirms the registration.
            router.post("/invites/confirm") { request, context in
                let form = app.form(context)
                do {
                    let view = try await app.guardedLookup(context) { try app.desk(context).confirmRegistration(ref: form["scan"] ?? "", at: form["at"]) }
                    return await app.redirect("/invites/\(view.ref)", flash: app.saved("\(view.ref) · \(view.staff.name) · \(view.plate)", context), context: context)
                } catch let error as TooManyLookups {
                    throw error
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.invitesPage(context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            router.get("/invites/{ref}") { request, context in
                let english = request.uri.queryParameters["text"].map(String.init) == "en"
                return try await app.guardedLookup(context) { try await app.invitePage(app.parameter("ref", context), context: context, error: nil, english: english) }
            }
            // The steps of an invite's life, and their undoing (a manager, with a reason), from its page.
            step(router, "confirm") { desk, ref, form in try desk.confirmRegistration(ref: ref, at: form["at"]) }
            step(router, "remove") { desk, ref, form in try desk.removeRegistration(ref: ref, at: form["at"]) }
            step(router, "unconfirm") { desk, ref, form in try desk.unconfirmRegistration(ref, reason: form["reason"]) }
            step(router, "unremove") { desk, ref, form in try desk.unremoveRegistration(ref, reason: form["reason"]) }
            // The print view: the slip itself, at A5 or 80 mm.
            router.get("/invites/{ref}/print") { request, context in
                let paper = try InviteDocument.Paper(parsing: request.uri.queryParameters["paper"].map(String.init) ?? "a5")
                let document = try app.desk(context).inviteDocument(ref: app.parameter("ref", context))
                let english = request.uri.queryParameters["lang"].map(String.init) == "en"
                return HTML(text: try document.html(paper: paper, templates: app.pages.templates, served: true, english: english))
            }
            router.get("/invites/{ref}/qr.png") { _, context in
                let document = try app.desk(context).inviteDocument(ref: app.parameter("ref", context))
                return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: try document.png())))
            }
        return router
    }

    /// `POST /invites/{ref}/<path>`: one step of the invite; done, back to its page with its new status, refused, its
    /// page with the refusal.
    func step(_ router: RouteCollection<WebContext>, _ path: String, _ act: @escaping @Sendable (Desk, String, Form) throws -> RegistrationView) {
        let app = app
        router.post("/invites/{ref}/\(path)") { request, context in
            let ref = app.parameter("ref", context)
            do {
                let view = try act(app.desk(context), ref, app.form(context))
                return await app.redirect("/invites/\(view.ref)", flash: app.saved("\(view.ref) · \((try? app.words(context))?.term("registrationStatus", view.status) ?? view.status)", context), context: context)
            } catch {
                try WebApp.rethrowIfNotForTheForm(error)
                return try await app.invitePage(ref, context: context, error: error).response(from: request, context: context)
            }
        }
    }
}
