import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    func settingsPage(context: WebContext, form: [String: String], error: (any Error)?) async throws -> HTML {
        let settings = try desk(context).settings()
        let problem = error.map { self.problem($0, context) }
        return try await page("settings", nav: "settings", title: "settings.title", [
            "settings": settings.map { ["key": $0.key, "value": $0.value, "isDefault": $0.isDefault, "defaultValue": $0.defaultValue, "help": $0.help,
                                        "selected": $0.key == form["key"]] as [String: Any] },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
        ], context: context, status: error == nil ? .ok : (error as? DeskError)?.exitCode == 1 ? .conflict : .badRequest)
    }

    func usersPage(context: WebContext, form: [String: String], error: (any Error)?) async throws -> HTML {
        let desk = desk(context)
        let users = try desk.users()
        let staff = try desk.staffList().filter(\.active)
        let words = try words(context)
        let problem = error.map { self.problem($0, context) }
        let me = context.session?.person?.name
        return try await page("users", nav: "users", title: "users.title", [
            "users": users.map { u in
                ["name": u.name, "role": words.term("role", u.role), "staff": u.staff?.name ?? "", "active": u.active, "createdAt": WebApp.shortTime(u.createdAt),
                 "path": u.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? u.name,
                 "isMe": u.name == me] as [String: Any]
            },
            "roles": [Role.desk, Role.manager].map { ["value": $0.rawValue, "label": words.term("role", $0.rawValue), "selected": $0.rawValue == (form["role"] ?? "desk")] },
            "staff": staff.map { ["id": $0.id, "name": $0.name, "selected": String($0.id) == form["staff"]] as [String: Any] },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
        ], context: context, status: error == nil ? .ok : (error as? DeskError)?.exitCode == 1 ? .conflict : (error as? DeskError)?.exitCode == 2 ? .badRequest : .internalServerError)
    }
}

/// The manager's settings and accounts: each page and form asks a use case that checks the role first.
struct AccountController {
    let app: WebApp

    var endpoints: RouteCollection<WebContext> {
        let router = RouteCollection(context: WebContext.self)
            router.get("/settings") { _, context in
                try await app.settingsPage(context: context, form: [:], error: nil)
            }
            router.post("/settings") { request, context in
                let form = app.form(context)
                do {
                    let setting = try app.desk(context).setSetting(key: form["key"] ?? "", value: form["value"] ?? "")
                    return await app.redirect("/settings", flash: "✓ \(setting.key) = \(setting.value)", context: context)
                } catch {
                    try WebApp.rethrowIfForbidden(error)
                    return try await app.settingsPage(context: context, form: form.fields, error: error).response(from: request, context: context)
                }
            }
            router.get("/users") { _, context in
                try await app.usersPage(context: context, form: [:], error: nil)
            }
            router.post("/users") { request, context in
                let form = app.form(context)
                do {
                    guard let password = form["password"], password == form["password2"] else {
                        throw DeskError.invalid(field: "password2", reason: Message("input.password.mismatch"))
                    }
                    let staff = form["staff"].flatMap { $0.isEmpty ? nil : $0 }
                    let user = try app.desk(context).addUser(name: form["name"] ?? "", role: form["role"] ?? "", staff: staff, password: password)
                    return await app.redirect("/users", flash: "✓ \(user.name)", context: context)
                } catch {
                    try WebApp.rethrowIfForbidden(error)
                    return try await app.usersPage(context: context, form: form.fields.filter { !$0.key.hasPrefix("password") }, error: error)
                        .response(from: request, context: context)
                }
            }
            router.post("/users/{name}/password") { request, context in
                let form = app.form(context)
                do {
                    guard let password = form["password"], password == form["password2"] else {
                        throw DeskError.invalid(field: "password2", reason: Message("input.password.mismatch"))
                    }
                    let user = try app.desk(context).setPassword(name: app.parameter("name", context), password: password)
                    await app.sessions.end(accountId: user.id, keeping: context.session?.id)
                    return await app.redirect("/users", flash: "✓ \(user.name)", context: context)
                } catch {
                    try WebApp.rethrowIfForbidden(error)
                    return try await app.usersPage(context: context, form: [:], error: error).response(from: request, context: context)
                }
            }
            router.post("/users/{name}/disable") { request, context in
                do {
                    let user = try app.desk(context).disableUser(name: app.parameter("name", context))
                    await app.sessions.end(accountId: user.id)
                    return await app.redirect("/users", flash: "✓ \(user.name)", context: context)
                } catch {
                    try WebApp.rethrowIfForbidden(error)
                    return try await app.usersPage(context: context, form: [:], error: error).response(from: request, context: context)
                }
            }
        return router
    }
}
