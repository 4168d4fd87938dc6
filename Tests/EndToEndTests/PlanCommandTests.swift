import Foundation
import Testing

/// `visit checkin --plan` on the built binary: the answer's `--json` keys, the suggestion, the invite made and printed
/// while the owner waits, and `status`'s list of cars planned for a road test without a driver (R3, R13).
@Suite("End to end: registrations planned at check-in")
struct PlanCommandTests {
    static let visitKeys: Set<String> = ["id", "plate", "checkinAt", "checkoutAt", "orderNo", "open", "plan", "odometerIn", "odometerOut", "fuelIn", "fuelOut"]

    @Test("the answer's keys: the visit's as ever and its plan, then suggestedDrivers (staff, reasons, reasonCodes, slots), cannotRegister, alreadyRegistered; without --plan the visit alone", arguments: Backend.allCases)
    func keys(_ backend: Backend) throws {
        let cli = try CLI.bare(backend)
        try cli.ok("vehicle", "add", "--plate", "粤B12345", "--owner", "刘洋", "--size", "large")
        let plain = try cli.ok("visit", "checkin", "--plate", "沪B88888", "--at", "2026-11-20 09:00", "--json").object()
        #expect(Set(plain.keys) == PlanCommandTests.visitKeys)
        #expect(plain["plan"] as? [String] == [])

        let planned = try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:30", "--plan", "road-test", "--plan", "delivery", "--json").object()
        #expect(Set(planned.keys) == PlanCommandTests.visitKeys.union(["method", "driversLeft", "suggestedDrivers", "cannotRegister", "alreadyRegistered"]))
        #expect(planned["plan"] as? [String] == ["road-test", "delivery"])
        let suggested = try #require(planned["suggestedDrivers"] as? [[String: Any]])
        #expect(suggested.count == 2)
        let first = try #require(suggested.first)
        #expect(Set(first.keys) == ["staff", "reasons", "reasonCodes", "activeLeft", "yearLeft", "todayLeft", "licenseClass", "licenceFits", "onShift"])
        #expect(Set((first["staff"] as? [String: Any] ?? [:]).keys) == ["id", "name"])
        #expect((first["reasonCodes"] as? [String])?.first == "plan.slotsLeft")
        #expect((first["reasons"] as? [String])?.count == (first["reasonCodes"] as? [String])?.count)
        #expect(first["activeLeft"] as? Int == 3 && first["yearLeft"] as? Int == 5)
        #expect(planned["cannotRegister"] as? [Any] != nil && planned["alreadyRegistered"] as? [Any] != nil)

        // A large car: neither C1 driver may take it on the road (R13), each said with the reason.
        let large = try cli.ok("visit", "checkin", "--plate", "粤B12345", "--at", "2026-11-20 09:40", "--plan", "road-test", "--json").object()
        #expect((large["suggestedDrivers"] as? [Any])?.isEmpty == true)
        let refused = try #require(large["cannotRegister"] as? [[String: Any]])
        #expect(refused.count == 2 && refused.allSatisfy { ($0["reasonCodes"] as? [String]) == ["driving.classDoesNotCover"] && ($0["rules"] as? [String]) == ["R13"] })
        #expect(large["method"] as? String == "window")
    }

    @Test("the human answer lists the drivers in the person's language with the command that invites each", arguments: ["zh-Hans", "en"])
    func text(_ language: String) throws {
        var cli = try CLI.bare()
        cli.environment["DRIVERDESK_LANG"] = language
        let out = try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:30", "--plan", "road-test").stdout
        #expect(out.contains("driverdesk register invite --plate 京A12345 --staff 1"))
        if language == "zh-Hans" {
            #expect(out.contains("计划：路试") && out.contains("建议备案（2）") && out.contains("王磊还可同时备案 3/3 辆"))
            #expect(!out.contains("road-test") && !out.contains("plan."))
        } else {
            #expect(out.contains("Planned: road test") && out.contains("Suggested drivers (2)") && out.contains("王磊 has 3 of 3 active registrations"))
        }
    }

    @Test("--invite: the first suggested driver's invite, written to the slip; status lists the car until his registration is active", arguments: Backend.allCases)
    func inviteAtCheckin(_ backend: Backend) throws {
        let cli = try CLI.bare(backend)
        let html = cli.folder.appendingPathComponent("plan-slip.html").path
        let answer = try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:30", "--plan", "road-test", "--invite",
                                "--out", html, "--paper", "80mm", "--json").object()
        let invite = try #require(answer["invite"] as? [String: Any])
        let ref = try #require(invite["ref"] as? String)
        #expect(invite["out"] as? String == html && invite["status"] as? String == "invited")
        #expect((invite["staff"] as? [String: Any])?["name"] as? String == ((answer["suggestedDrivers"] as? [[String: Any]])?.first?["staff"] as? [String: Any])?["name"] as? String)
        #expect(answer["inviteRefused"] == nil)
        let slip = try String(contentsOfFile: html, encoding: .utf8)
        #expect(slip.contains(ref) && slip.contains("<svg") && slip.contains("80mm"))

        let status = try cli.ok("status", "--json").object()
        let planned = try #require(status["plannedRoadTests"] as? [[String: Any]])
        #expect(planned.map { $0["plate"] as? String } == ["京A12345"])
        #expect(Set(try #require(planned.first).keys) == ["plate", "owner", "visitId", "since", "plan", "suggestedDriver"])
        try cli.ok("register", "confirm", ref)
        #expect((try cli.ok("status", "--json").object()["plannedRoadTests"] as? [Any])?.isEmpty == true)
    }

    @Test("an invite the plan refuses writes nothing, the check-in included (exit 1): the reason and how to check in on stderr; without --invite the check-in and its answer", arguments: Backend.allCases)
    func inviteRefused(_ backend: Backend) throws {
        let cli = try CLI.bare(backend)
        try cli.ok("vehicle", "add", "--plate", "粤B12345", "--owner", "刘洋", "--size", "large")
        let stderr = try cli.refused(1, "visit", "checkin", "--plate", "粤B12345", "--at", "2026-11-20 09:30", "--plan", "road-test", "--invite", "--json")
        #expect(stderr.contains("现在没有可以备案的员工") && stderr.contains("没有办理 粤B12345 的到店") && stderr.contains("--invite"))
        // --staff names one the plan refuses (R13: a C1 licence on a large car): refused with his reason, nothing written.
        #expect(try cli.refused(1, "visit", "checkin", "--plate", "粤B12345", "--at", "2026-11-20 09:30", "--plan", "road-test", "--staff", "王磊").contains("王磊"))
        // As the refusal says: the check-in alone, with its answer.
        let answer = try cli.ok("visit", "checkin", "--plate", "粤B12345", "--at", "2026-11-20 09:30", "--plan", "road-test", "--json").object()
        #expect((answer["cannotRegister"] as? [[String: Any]])?.count == 2 && answer["invite"] == nil)
        let shown = try cli.ok("vehicle", "show", "粤B12345", "--json").object()
        #expect((shown["visits"] as? [[String: Any]])?.count == 1 && (shown["registrations"] as? [Any])?.isEmpty == true)
    }

    @Test("the invite made at check-in prints as every slip does: Chromium's PDF is one 80 mm page with the Chinese glyphs, and its QR scans to the invite")
    func printed() throws {
        let slips = SlipPrintTests()
        let browser = try slips.chromium()
        let cli = try CLI.bare()
        try FileManager.default.createDirectory(at: SlipPrintTests.artifacts, withIntermediateDirectories: true)
        let base = SlipPrintTests.artifacts.appendingPathComponent("plan-slip-80mm")
        let html = base.appendingPathExtension("html").path, pdf = base.appendingPathExtension("pdf").path
        try? FileManager.default.removeItem(atPath: pdf)
        let answer = try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:30", "--plan", "road-test", "--invite",
                                "--out", html, "--paper", "80mm", "--json").object()
        let invite = try #require(answer["invite"] as? [String: Any])
        let ref = try #require(invite["ref"] as? String), payload = try #require(invite["payload"] as? String)
        #expect(try tool(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)"]) == 0)
        let info = try toolOutput("/usr/bin/pdfinfo", [pdf])
        let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        let size = info.split(separator: "\n").first { $0.hasPrefix("Page size:") }.map(String.init) ?? ""
        let points = size.split(whereSeparator: { $0 == " " || $0 == ":" }).compactMap { Double($0) }
        #expect(pages == "1", "one piece of the roll: \(info)")
        #expect(abs((points.first ?? 0) - 226.8) < 2, "80 mm is 226.8 pt wide: \(size)")
        #expect((points.dropFirst().first ?? 1000) <= 567.5, "at most 200 mm long: \(size)")
        let fonts = try slips.fonts(pdf)
        #expect(fonts.contains { $0.embedded && $0.type == "Type 3" && ($0.fontName ?? "").contains("NotoSansCJK") }, "\(fonts)")
        let text = try toolOutput("/usr/bin/pdftotext", [pdf, "-"])
        let driver = try #require((invite["staff"] as? [String: Any])?["name"] as? String)
        #expect(text.contains(driver) && text.contains("京A12345") && text.contains(ref))
        #expect(try tool("/usr/bin/pdftoppm", ["-png", "-r", "150", "-f", "1", "-l", "1", pdf, base.path]) == 0)
        let page = base.path + (FileManager.default.fileExists(atPath: base.path + "-1.png") ? "-1.png" : "-01.png")
        #expect(try zbar(page) == payload)
    }

    @Test("visit plan: the answer again; corrected with a reason, the audit says so; without a reason, refused", arguments: Backend.allCases)
    func planCommand(_ backend: Backend) throws {
        let cli = try CLI.bare(backend)
        try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 09:30", "--plan", "road-test")
        let again = try cli.ok("visit", "plan", "--plate", "京A12345", "--json").object()
        #expect(Set(again.keys) == ["plate", "plan", "method", "driversLeft", "suggestedDrivers", "cannotRegister", "alreadyRegistered"])
        #expect(again["plan"] as? [String] == ["road-test"])
        #expect(try cli.refused(2, "visit", "plan", "--plate", "京A12345", "--plan", "delivery").contains("reason"))
        let changed = try cli.ok("visit", "plan", "--plate", "京A12345", "--plan", "delivery", "--reason", "只送车", "--json").object()
        #expect(changed["plan"] as? [String] == ["delivery"] && changed["suggestedDrivers"] != nil)
        let audit = try cli.ok("audit", "--json").array()
        #expect(audit.last?["action"] as? String == "visit.plan")
        #expect((try cli.ok("status", "--json").object()["plannedRoadTests"] as? [Any])?.isEmpty == true)
    }

    @Test("bad input names the field and writes nothing", arguments: Backend.allCases)
    func badInput(_ backend: Backend) throws {
        let cli = try CLI.bare(backend)
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "京A12345", "--plan", "road-trip").contains("plan"))
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "京A12345", "--plan", "road-test,").contains("plan"))
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "京A12345", "--invite").contains("invite"))
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "京A12345", "--plan", "road-test", "--out", cli.folder.appendingPathComponent("x.html").path).contains("out"))
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "京A12345", "--plan", "road-test", "--invite", "--out", cli.folder.appendingPathComponent("x.txt").path).contains("out"))
        #expect(try cli.refused(2, "visit", "checkin", "--plate", "京A12345", "--plan", "road-test", "--invite", "--paper", "a4").contains("paper"))
    }
}
