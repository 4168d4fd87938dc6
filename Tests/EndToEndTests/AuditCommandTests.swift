import Foundation
import Testing

/// `driverdesk audit` for scripts: the same JSON as ever, the newest N with `--limit`, and paging back with `--before`.
@Suite("End to end: audit --limit and --before")
struct AuditCommandTests {
    @Test("--limit N prints the newest N that match, oldest first; --before ID pages back; together they walk the whole audit", arguments: Backend.allCases)
    func limitAndBefore(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        try cli.ok("move", "start", "--plate", "京A12345", "--staff", "王磊", "--at", "2026-11-20 10:00")
        try cli.ok("move", "end", "--plate", "京A12345", "--at", "2026-11-20 10:30")
        let all = try cli.ok("audit", "--json").array()
        #expect(all.count >= 8)
        // The contract's keys, unchanged.
        for entry in all { #expect(Set(entry.keys) == ["id", "at", "operator", "action", "subject", "before", "after"]) }
        let ids = all.compactMap { ($0["id"] as? NSNumber)?.int64Value }
        #expect(ids == ids.sorted() && ids.count == all.count)

        let newest = try cli.ok("audit", "--limit", "3", "--json").array()
        #expect(newest.compactMap { ($0["id"] as? NSNumber)?.int64Value } == Array(ids.suffix(3)))
        #expect(newest.last?["action"] as? String == "movement.end")

        // A script pages back by passing the smallest id it got.
        var pages: [[Int64]] = []
        var before: Int64?
        while pages.count <= ids.count {
            var arguments = ["audit", "--limit", "3", "--json"]
            if let before { arguments += ["--before", String(before)] }
            let result = try cli.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let page = try result.array().compactMap { ($0["id"] as? NSNumber)?.int64Value }
            if page.isEmpty { break }
            #expect(page.count <= 3 && page == page.sorted())
            pages.append(page)
            before = page.first
        }
        #expect(pages.reversed().flatMap { $0 } == ids)
        #expect(pages.count == (ids.count + 2) / 3)

        // --before alone: everything older; with the other filters: what matches among them.
        let older = try cli.ok("audit", "--before", String(ids[3]), "--json").array()
        #expect(older.compactMap { ($0["id"] as? NSNumber)?.int64Value } == Array(ids.prefix(3)))
        let moves = try cli.ok("audit", "--action", "movement", "--limit", "1", "--json").array()
        #expect(moves.map { $0["action"] as? String } == ["movement.end"])
        // The text output takes the same flags.
        let text = try cli.ok("audit", "--limit", "1")
        #expect(text.stdout.contains("movement.end") && !text.stdout.contains("movement.start"))
    }

    @Test("--limit and --before take a whole number from 1: anything else exits 2 naming the flag, with nothing on stdout")
    func refusals() throws {
        let cli = try CLI.shop()
        for bad in ["0", "-1", "abc", "2.5", "99999999999999999999"] {
            let error = try cli.refused(2, ["audit", "--limit=\(bad)", "--json"])
            #expect(error.contains("条数（limit）") && error.contains("不是正整数"), "--limit \(bad): \(error)")
        }
        let error = try cli.refused(2, ["audit", "--before", "x1", "--json"])
        #expect(error.contains("（before）") && error.contains("“x1”"), "\(error)")
        var english = cli
        english.environment = ["DRIVERDESK_LANG": "en"]
        let said = try english.refused(2, ["audit", "--limit", "none"])
        #expect(said.contains("limit: \"none\" is not a whole number of 1 or more"), "\(said)")
        // A missing value is ArgumentParser's usage error: exit 2 as well.
        let missing = try cli.run(["audit", "--limit"])
        #expect(missing.status == 2 && missing.stdout.isEmpty)
    }
}
