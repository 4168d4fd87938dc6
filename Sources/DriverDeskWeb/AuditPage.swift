import DriverDeskApp
import Foundation

/// The audit's filters as the page's form sends them (`?person=&action=&since=&until=&page=`); empty fields are none.
struct AuditFilterForm {
    var since: String?
    var until: String?
    var person: String?
    var action: String?
    var page: String?

    init(query: String) {
        func value(_ name: String) -> String? {
            WebApp.queryValue(name, in: query).flatMap { $0.trimmingSpaces().isEmpty ? nil : $0.trimmingSpaces() }
        }
        since = value("since")
        until = value("until")
        person = value("person")
        action = value("action")
        page = value("page")
    }

    /// The filters as a query string, with another page (or none): for the paging links and the export.
    func query(page: Int? = nil) -> String {
        let pairs: [(String, String?)] = [("person", person), ("action", action), ("since", since), ("until", until), ("page", page.map(String.init))]
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let parts = pairs.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}

/// What the audit's template shows: the filter's choices (people, actions by area), the page's lines in words, and
/// the paging.
enum AuditPageModel {
    static func make(_ view: AuditPageView, filter: AuditFilterForm, words: Catalogue, pages: Pages) -> [String: Any] {
        let language = words.language.rawValue
        var people = view.people
        if let person = filter.person, !people.contains(person) { people.insert(person, at: 0) }
        var known = Set<String>()
        var areas: [[String: Any]] = AuditActions.areas.map { area in
            let name = words.term("auditArea", area.area)
            var options: [[String: Any]] = []
            if AuditActions.filtersByName(area.area) {
                options.append(["value": area.area, "label": pages.text("audit.allOfArea", language, ["area": name]), "selected": filter.action == area.area])
                known.insert(area.area)
            }
            for action in area.actions {
                options.append(["value": action, "label": words.term("auditAction", action), "selected": filter.action == action])
                known.insert(action)
            }
            return ["label": name, "options": options]
        }
        // An action typed into the address (`?action=violation.pay` from a bookmark) stays chosen.
        if let action = filter.action, !known.contains(action) {
            areas.insert(["label": action, "options": [["value": action, "label": action, "selected": true]]], at: 0)
        }
        return [
            "people": people.map { ["value": $0, "selected": $0 == filter.person] as [String: Any] },
            "areas": areas,
            "since": filter.since ?? "", "until": filter.until ?? "",
            "filtered": filter.person != nil || filter.action != nil || filter.since != nil || filter.until != nil,
            "entries": view.lines.map { line -> [String: Any] in
                let colon = words.language == .zhHans ? "：" : ": "
                return ["id": line.id, "at": line.at, "operator": line.operator, "action": line.actionText, "subject": line.subject, "link": line.link ?? "",
                 "changes": line.changes.map { ["label": $0.label + colon, "before": $0.before ?? "", "after": $0.after ?? "", "changed": $0.before != nil] as [String: Any] }]
            },
            "hasEntries": !view.lines.isEmpty,
            "morePages": view.pages > 1,
            "pageOf": pages.text("audit.pageOf", language, ["page": String(view.page), "pages": String(view.pages), "total": String(view.total)]),
            "previous": view.page > 1 ? "/audit" + filter.query(page: view.page - 1) : "",
            "next": view.page < view.pages ? "/audit" + filter.query(page: view.page + 1) : "",
            "export": "/audit.csv" + filter.query(),
        ]
    }
}
