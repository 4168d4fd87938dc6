import DriverDeskApp
import Foundation
import Hummingbird

extension WebApp {
    /// The settings by section, each with its label, its meaning, its default and the input its kind needs; a
    /// refusal is shown beside the setting it names. The key is shown small, for the command line.
    func settingsPage(context: WebContext, form: [String: String], error: (any Error)?) async throws -> HTML {
        let settings = try desk(context).settings()
        let words = try words(context)
        let problem = error.map { self.problem($0, context) }
        let wrong = problem.map { $0.field ?? form["key"] ?? "" }
        // The zones of China's workshops, by the names the platform gives them in the language; another zone set on the
        // command line is kept as it is.
        let locale = Locale(identifier: words.language == .zhHans ? "zh_Hans" : "en")
        func zoneLabel(_ id: String) -> String {
            (TimeZone(identifier: id)?.localizedName(for: .generic, locale: locale)).map { words.language == .zhHans ? "\($0)（\(id)）" : "\($0) (\(id))" } ?? id
        }
        func row(_ s: SettingView) -> [String: Any] {
            guard let setting = try? Config.setting(s.key) else { return [:] }
            let typed = wrong == s.key ? form["value"] ?? s.value : s.value
            var row: [String: Any] = ["key": s.key, "anchor": s.key.replacingOccurrences(of: ".", with: "-"), "label": s.label, "help": s.help,
                                      "changed": !s.isDefault && !s.key.hasPrefix("fine."), "unit": s.unit ?? "", "rule": s.rule ?? "", "value": typed,
                                      "default": words.settingValue(s.defaultValue, of: setting), "isFine": s.key.hasPrefix("fine.")]
            if wrong == s.key || (problem?.field == "value" && form["key"] == s.key) { row["error"] = problem?.message ?? "" }
            switch setting.kind {
            case .integer(let range): row["isNumber"] = true; row["min"] = range.lowerBound; row["max"] = range.upperBound
            case .decimal(let range):
                row["isDecimal"] = true; row["min"] = CustodyReportRules.format(range.lowerBound); row["max"] = CustodyReportRules.format(range.upperBound)
            case .boolean: row["isSwitch"] = true; row["on"] = typed == "true"
            case .timeZone:
                let zones = ["Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei"]
                row["isSelect"] = true
                row["options"] = (zones.contains(typed) ? zones : zones + [typed]).map { ["value": $0, "label": zoneLabel($0), "selected": $0 == typed] }
            case .choice(let options):
                row["isSelect"] = true
                row["options"] = options.map { ["value": $0, "label": words.settingValue($0, of: setting), "selected": $0 == typed] }
            case .choices(let options, let term):
                let chosen = Set(typed.split(separator: ",").map(String.init))
                row["isChoices"] = true
                row["options"] = options.map { ["value": $0, "label": words.term(term, $0), "checked": chosen.contains($0)] }
            case .money: row["isMoney"] = true
            case .text, .hostNames, .url: row["isText"] = true
            }
            return row
        }
        let groups = Setting.Group.allCases.map { group -> [String: Any] in
            ["id": group.rawValue, "title": words.term("settingGroup", group.rawValue),
             "settings": settings.filter { $0.group == group.rawValue }.map(row), "isFees": group == .fees]
        }
        let fineError = ["code", "province"].contains(problem?.field ?? "") || (problem != nil && form["fine"] != nil)
        return try await page("settings", nav: "settings", title: "settings.title", [
            "groups": groups, "form": form, "fineError": fineError ? problem?.message ?? "" : "",
            "provinces": Plate.provinces.sorted().map { ["value": String($0), "selected": String($0) == form["province"]] },
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
            "roles": [Role.desk, Role.manager, Role.driver].map { ["value": $0.rawValue, "label": words.term("role", $0.rawValue), "selected": $0.rawValue == (form["role"] ?? "desk")] },
            "staff": staff.map { ["id": $0.id, "name": $0.name, "selected": String($0.id) == form["staff"]] as [String: Any] },
            "form": form, "error": problem?.message ?? "", "hasError": problem != nil, "errorField": problem?.field ?? "",
        ], context: context, status: error == nil ? .ok : (error as? DeskError)?.exitCode == 1 ? .conflict : (error as? DeskError)?.exitCode == 2 ? .badRequest : .internalServerError)
    }
}

extension WebApp {
    /// The setting a form changes: its key, or a fine for a violation code (`fine.1625`, `fine.京.1625`) from the
    /// fines form's code and province.
    static func settingKey(_ form: Form) throws -> String {
        guard form["fine"] != nil else { return form["key"] ?? "" }
        return try Config.fineKey(code: form["code"] ?? "", province: form["province"] ?? "")
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
                var form = app.form(context)
                do {
                    let key = try WebApp.settingKey(form)
                    form.fields["key"] = key
                    // A list of options comes as one checkbox each (`option.road-test`); a switch as true or false.
                    if form["choices"] != nil {
                        form.fields["value"] = form.fields.keys.filter { $0.hasPrefix("option.") }.map { String($0.dropFirst(7)) }.joined(separator: ",")
                    }
                    let setting = try app.desk(context).setSetting(key: key, value: form.fields["value"] ?? "")
                    let words = try app.words(context)
                    let shown = words.settingValue(setting.value, of: try Config.setting(key))
                    return await app.redirect("/settings#\(key.replacingOccurrences(of: ".", with: "-"))",
                                              flash: words.render(Message("settings.saved", ["label": .text(setting.label), "value": .text(shown)])), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
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
                    return await app.redirect("/users", flash: app.saved("\(user.name)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
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
                    return await app.redirect("/users", flash: app.saved("\(user.name)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.usersPage(context: context, form: [:], error: error).response(from: request, context: context)
                }
            }
            router.post("/users/{name}/disable") { request, context in
                do {
                    let user = try app.desk(context).disableUser(name: app.parameter("name", context))
                    await app.sessions.end(accountId: user.id)
                    return await app.redirect("/users", flash: app.saved("\(user.name)", context), context: context)
                } catch {
                    try WebApp.rethrowIfNotForTheForm(error)
                    return try await app.usersPage(context: context, form: [:], error: error).response(from: request, context: context)
                }
            }
        return router
    }
}
