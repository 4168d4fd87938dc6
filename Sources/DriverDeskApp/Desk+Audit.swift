import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension Desk {
    /// `audit [--since T] [--until DAY] [--person NAME] [--action A] [--limit N] [--before ID]`: what changed, who
    /// changed it, when, oldest first. `limit`: only the newest that many; `before`: only entries numbered below it
    /// (a script pages back by passing the smallest number it got).
    public func audit(since: String?, until: String? = nil, person: String? = nil, action: String? = nil, limit: String? = nil,
                      before: String? = nil) throws -> [AuditView] {
        try actor.check(.report)
        let config = try config()
        var query = try auditQuery(since: since, until: until, person: person, action: action, config: config)
        query.limit = try limit.map { try Fields.positiveInteger($0, field: "limit") }
        query.beforeId = try before.map { Int64(try Fields.positiveInteger($0, field: "before")) }
        return try database.auditEntries(query).map { AuditView($0, time: config.time) }
    }

    /// Entries on one page of the audit.
    public static let auditPageSize = 50

    /// The audit page: one page of the entries the filters let through, newest first, in words; which page of how many;
    /// everyone the audit names (the person filter's choices). A page past the last shows the last.
    public func auditPage(since: String?, until: String?, person: String?, action: String?, page: String?) throws -> AuditPageView {
        try actor.check(.report)
        let config = try config()
        let words = try catalogue(config)
        let filter = try auditQuery(since: since, until: until, person: person, action: action, config: config)
        let wanted = try page.map { try Fields.positiveInteger($0, field: "page") } ?? 1
        let size = Desk.auditPageSize
        return try database.reading { tx in
            let total = try tx.auditCount(filter)
            let pages = max(1, (total + size - 1) / size)
            let page = min(wanted, pages)
            var query = filter
            query.limit = size
            query.offset = (page - 1) * size
            let entries = try tx.auditEntries(query)
            let wording = try Desk.wording(for: entries, words: words, time: config.time, in: tx)
            return AuditPageView(lines: entries.reversed().map(wording.line), page: page, pages: pages, total: total, people: try tx.auditOperators())
        }
    }

    /// The audit as a CSV file for Excel or WPS: every entry the filters let through, newest first, the columns and
    /// values in words as on the page; UTF-8 with a byte-order mark, as `report --csv`.
    public func auditCSV(since: String?, until: String?, person: String?, action: String?) throws -> Data {
        try actor.check(.report)
        let config = try config()
        let words = try catalogue(config)
        let query = try auditQuery(since: since, until: until, person: person, action: action, config: config)
        let lines = try database.reading { tx in
            let entries = try tx.auditEntries(query)
            let wording = try Desk.wording(for: entries, words: words, time: config.time, in: tx)
            return entries.reversed().map(wording.line)
        }
        return try ReportCSV.bytes(AuditCSV.text(lines, words: words), encoding: .utf8)
    }

    /// The wording of some entries, with the names of the staff members and cars they name by id.
    static func wording(for entries: [AuditEntry], words: Catalogue, time: ShopTime, in tx: any ShopTransaction) throws -> AuditWording {
        let ids = AuditWording.referencedIds(entries)
        return AuditWording(words: words, time: time, staffNames: try tx.staff(ids: ids.staff).mapValues(\.name),
                            plates: try tx.vehicles(ids: ids.vehicles).mapValues(\.plate))
    }

    /// The filters as typed, checked: `since` a time or a day; `until` a time, or a day that takes in the whole day;
    /// the person and the action as text.
    func auditQuery(since: String?, until: String?, person: String?, action: String?, config: Config) throws -> AuditQuery {
        var query = AuditQuery()
        query.since = try since.map { try config.time.parse($0, field: "since", now: now, dateOnly: true) }
        if let until {
            let end = try config.time.parse(until, field: "until", now: now, dateOnly: true)
            // A day takes in the whole day; a time, everything up to it.
            query.before = until.contains(":") ? end.addingTimeInterval(1) : config.time.start(of: config.time.civilDate(of: end).adding(days: 1))
        }
        if let since = query.since, let before = query.before, before <= since {
            throw DeskError.invalid(field: "until", reason: Message("input.range.endBeforeStart"))
        }
        query.person = try person.map { try Fields.optionalText($0, field: "person", maxLength: 64) } ?? nil
        query.action = try action.map { try Fields.optionalText($0, field: "action", maxLength: 64) } ?? nil
        return query
    }
}

/// One page of the audit as the web shows it.
public struct AuditPageView: Sendable {
    /// Newest first.
    public var lines: [AuditLine]
    /// This page's number, from 1, and how many pages the filtered entries fill (at least 1).
    public var page: Int
    public var pages: Int
    /// How many entries the filters let through.
    public var total: Int
    /// Everyone the audit names, each once: the person filter's choices.
    public var people: [String]
}

/// The audit's CSV: the page's columns, in the catalogue's words (`terms.auditColumn`).
public enum AuditCSV {
    public static let columns = ["id", "at", "operator", "action", "subject", "change"]

    /// A header row in the language, then one row per line; CRLF line ends; fields quoted and defused as the report's.
    public static func text(_ lines: [AuditLine], words: Catalogue) -> String {
        var rows = [columns.map { words.term("auditColumn", $0) }]
        rows += lines.map { [String($0.id), $0.at, $0.operator, $0.actionText, $0.subject, $0.changeText(words)] }
        return rows.map { $0.map(ReportCSV.field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
