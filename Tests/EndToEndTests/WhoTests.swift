import Foundation
import Testing

@Suite("End to end: who drove (R2)")
struct WhoEndToEndTests {
    /// 王磊 road-tests 京A12345 10:00–10:30, 李强 parks it 10:30–10:40; it leaves at 17:00.
    func day(_ backend: Backend) throws -> CLI {
        let cli = try CLI.shop(backend)
        try cli.ok("move", "start", "--plate", "京A12345", "--staff", "王磊", "--purpose", "road-test", "--at", "2026-11-20 10:00")
        try cli.ok("move", "end", "--plate", "京a 12345", "--at", "2026-11-20 10:30")
        try cli.ok("move", "log", "--plate", "京A·12345", "--staff", "2", "--from", "2026-11-20 10:30", "--to", "2026-11-20 10:40", "--purpose", "parking")
        try cli.ok("visit", "checkout", "--plate", "京A-12345", "--at", "2026-11-20 17:00")
        return cli
    }

    func who(_ cli: CLI, _ at: String, _ extra: String...) throws -> [String: Any] {
        let result = try cli.run(["who", "--plate", "京A12345", "--at", "2026-11-20 \(at)", "--json"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try result.object()
    }

    @Test("inside a movement, at its edges, inside the slack, parked, in custody, outside custody", arguments: Backend.allCases)
    func answers(_ backend: Backend) throws {
        let cli = try day(backend)
        let inside = try who(cli, "10:15")
        #expect((inside["driver"] as? [String: Any])?["name"] as? String == "王磊")
        #expect(inside["attribution"] as? String == "movement")
        #expect(inside["needsReview"] as? Bool == false)

        #expect((try who(cli, "10:00")["driver"] as? [String: Any])?["name"] as? String == "王磊")
        #expect((try who(cli, "10:40")["driver"] as? [String: Any])?["name"] as? String == "李强")

        let slack = try who(cli, "10:47")
        #expect((slack["driver"] as? [String: Any])?["name"] as? String == "李强")
        #expect(slack["attribution"] as? String == "movement")
        #expect(slack["needsReview"] as? Bool == true)

        let sat = try who(cli, "13:00")
        #expect(sat["attribution"] as? String == "unattributed")
        #expect(sat["driver"] is NSNull)
        #expect(sat["needsReview"] as? Bool == true)
        #expect(sat["reasonCodes"] as? [String] == ["attribution.inCustody", "attribution.noMovement", "attribution.lastMoved"])
        #expect((sat["reasons"] as? [String])?.last?.contains("李强") == true)

        let parked = try who(cli, "13:00", "--parking")
        #expect(parked["attribution"] as? String == "parked")
        #expect((parked["driver"] as? [String: Any])?["name"] as? String == "李强")

        let outside = try who(cli, "18:30")
        #expect(outside["attribution"] as? String == "outsideCustody")
        #expect(outside["driver"] is NSNull)
    }

    @Test("the text answer says who, how and why, in the shop's language or the one asked for", arguments: Backend.allCases)
    func text(_ backend: Backend) throws {
        let cli = try day(backend)
        let result = try cli.ok("who", "--plate", "京a12345", "--at", "2026-11-20 10:15")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("驾驶人：王磊 (#1)"), "\(result.stdout)")
        #expect(lines.contains("认定：移车记录"), "\(result.stdout)")
        #expect(lines.contains { $0.contains("2026-11-20 10:15，王磊正在驾驶京A12345") }, "\(result.stdout)")
        // English: one labelled line each (however the columns are aligned).
        let english = try cli.ok("who", "--plate", "京a12345", "--at", "2026-11-20 10:15", "--lang", "en")
        func field(_ label: String) -> String? {
            english.stdout.split(separator: "\n").first { $0.hasPrefix(label + ":") }
                .map { $0.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        #expect(field("Driver") == "王磊 (#1)", "\(english.stdout)")
        #expect(field("Attribution") == "movement", "\(english.stdout)")
        #expect(english.stdout.contains("王磊 was driving 京A12345 at 2026-11-20 10:15"))
    }
}
