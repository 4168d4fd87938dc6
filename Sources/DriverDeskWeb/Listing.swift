import DriverDeskApp
import Foundation
import Hummingbird

/// A list page's search box and pages: `?q=` (words that must all appear in a row) and `?page=` (50 rows a page).
/// Rows are searched by what a person would type: part of a plate with or without its province, an owner's or a
/// staff member's name, an order number, an invite's reference; case, width and spaces do not matter.
struct Listing {
    static let pageSize = 50

    /// Where the list is (`/vehicles`), for the links of its pages.
    let path: String
    /// What was typed in the search box, trimmed.
    let query: String
    /// The page asked for, from 1.
    let page: Int
    /// Other parameters of the list kept by its links (`status=open`).
    let keep: [(name: String, value: String)]

    init(path: String, query: String, page: Int, keep: [(name: String, value: String)] = []) {
        self.path = path
        self.query = query
        self.page = page
        self.keep = keep
    }

    init(path: String, request: Request, keep: [String] = []) {
        self.path = path
        let raw = request.uri.query ?? ""
        query = (WebApp.queryValue("q", in: raw) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        page = max(1, Int(WebApp.queryValue("page", in: raw) ?? "") ?? 1)
        self.keep = keep.compactMap { name in WebApp.queryValue(name, in: raw).flatMap { $0.isEmpty ? nil : (name, $0) } }
    }

    /// Text as it is compared: upper case, half width, without spaces and dots.
    static func folded(_ text: String) -> String {
        let half = text.applyingTransform(.fullwidthToHalfwidth, reverse: false) ?? text
        return half.uppercased().filter { !$0.isWhitespace && $0 != "·" && $0 != "." && $0 != "-" }
    }

    /// Whether every word typed appears in one of the row's texts.
    func matches(_ texts: [String]) -> Bool {
        guard !query.isEmpty else { return true }
        let haystack = texts.map(Listing.folded).joined(separator: "\u{1F}")
        return query.split(whereSeparator: \.isWhitespace).allSatisfy { haystack.contains(Listing.folded(String($0))) }
    }

    /// The rows that match, sorted as people expect in the language (拼音 under zh-Hans: the platform's collation),
    /// cut to the page asked for; and what the page says about them (the count, the page links).
    func apply<Row>(_ rows: [Row], texts: (Row) -> [String], sortKey: ((Row) -> String)? = nil, language: String,
                    pages: Pages, unit: String, hint: String) -> (rows: [Row], view: [String: Any]) {
        var found = rows.filter { matches(texts($0)) }
        if let sortKey {
            let locale = Locale(identifier: language == "zh-Hans" ? "zh_Hans" : "en")
            found = found.map { (sortKey($0), $0) }
                .sorted { $0.0.compare($1.0, options: [.caseInsensitive, .numeric], range: nil, locale: locale) == .orderedAscending }
                .map(\.1)
        }
        let pageCount = max(1, (found.count + Listing.pageSize - 1) / Listing.pageSize)
        let current = min(page, pageCount)
        let slice = Array(found.dropFirst((current - 1) * Listing.pageSize).prefix(Listing.pageSize))
        let count = pages.text(query.isEmpty ? "list.count" : "list.found", language,
                               ["count": String(found.count), "total": String(rows.count), "unit": pages.text("list.\(unit)", language)])
        var view: [String: Any] = [
            "action": path, "q": query, "summary": count, "page": current, "pages": pageCount, "hasPages": pageCount > 1,
            "keep": keep.map { ["name": $0.name, "value": $0.value] }, "searched": !query.isEmpty, "none": found.isEmpty && !rows.isEmpty,
            "placeholder": pages.text("list.\(hint)", language), "pageOf": pages.text("list.pageOf", language, ["page": String(current), "pages": String(pageCount)]),
        ]
        if current > 1 { view["prev"] = link(page: current - 1) }
        if current < pageCount { view["next"] = link(page: current + 1) }
        return (slice, view)
    }

    /// The list at another page, with the same search and parameters.
    func link(page: Int) -> String {
        var items = keep.map { ($0.name, $0.value) }
        if !query.isEmpty { items.append(("q", query)) }
        items.append(("page", String(page)))
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        return path + "?" + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }
}
