import Foundation
import Testing

/// A tool that failed: its exit status and what it said.
struct ToolFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs a tool and returns what it printed; throws unless it exits 0 and prints something.
func toolOutput(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let (data, errors) = try Captured.run(process)
    let command = ([path] + arguments).joined(separator: " ")
    guard process.terminationStatus == 0 else {
        throw ToolFailure(description: "\(command) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
    }
    let text = String(decoding: data, as: UTF8.self)
    guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
        throw ToolFailure(description: "\(command) printed nothing")
    }
    return text
}

/// Decodes a PNG's QR code with zbarimg, as the front desk's scanner would (throws when it finds none).
func zbar(_ path: String) throws -> String {
    try toolOutput("/usr/bin/zbarimg", ["--raw", "-q", "-Sbinary", path])
}

/// Runs a tool and returns its exit status.
@discardableResult
func tool(_ path: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite("End to end: registrations and invites (R3)")
struct RegisterEndToEndTests {
    func staff(_ cli: CLI, _ name: String, _ id: String, validUntil: String = "2031-01-01") throws {
        try cli.ok("staff", "add", "--name", name, "--id-number", id, "--license-class", "C1",
                   "--license-first-issued", "2010-01-01", "--license-valid-until", validUntil)
    }

    func car(_ cli: CLI, _ plate: String, _ extra: String...) throws {
        _ = try cli.run(["vehicle", "add", "--plate", plate, "--owner", "车主\(plate)"] + extra)
    }

    @Test("invite, write the slip, the card and the QR, confirm by scanning, remove", arguments: ["zh-Hans", "en"], Backend.allCases)
    func lifecycle(_ language: String, _ backend: Backend) throws {
        var cli = try CLI.shop(backend)
        cli.environment["DRIVERDESK_LANG"] = language
        cli.now = "2026-11-20 10:00"
        let png = cli.folder.appendingPathComponent("invite.png").path
        let invite = try cli.ok("register", "invite", "--plate", "京a12345", "--staff", "王磊", "--out", png, "--json").object()
        let ref = try #require(invite["ref"] as? String)
        #expect(invite["status"] as? String == "invited")
        #expect(invite["method"] as? String == "qr")
        #expect(invite["id"] as? Int == 1)
        #expect((invite["staff"] as? [String: Any])?["name"] as? String == "王磊")
        let payload = try #require(invite["payload"] as? String)
        #expect(payload.hasPrefix(ref))
        #expect(payload.contains("王磊") && payload.contains("京A12345"))
        #expect(try zbar(png) == payload)

        let svg = cli.folder.appendingPathComponent("card.svg").path
        let html = cli.folder.appendingPathComponent("slip.html").path
        try cli.ok("register", "print", ref, "--out", svg)
        try cli.ok("register", "print", ref, "--out", html, "--paper", "80mm")
        let rendered = cli.folder.appendingPathComponent("card.png").path
        #expect(try tool("/usr/bin/convert", ["-density", "144", svg, rendered]) == 0)
        #expect(try zbar(rendered) == payload)
        let slip = try String(contentsOfFile: html, encoding: .utf8)
        #expect(slip.contains(ref) && slip.contains("<svg") && slip.contains("80mm"))
        #expect(!slip.contains("110105198803124111"))

        let text = try cli.ok("register", "invite", "--plate", "沪B88888", "--staff", "李强").stdout
        #expect(text.contains("INV-"))

        cli.now = "2026-11-20 11:00"
        let scanned = try cli.ok("register", "confirm", payload, "--json").object()
        #expect(scanned["status"] as? String == "active")
        #expect(scanned["activatedAt"] as? String == "2026-11-20T11:00:00+08:00")
        let shown = try cli.ok("staff", "show", "王磊", "--json").object()
        let slots = try #require(shown["slots"] as? [String: Int])
        #expect(slots == ["active": 1, "activeLimit": 3, "pending": 0, "thisYear": 1, "yearLimit": 5, "today": 1, "dayLimit": 1])
        #expect(shown["slotsText"] is String)
        let vehicle = try cli.ok("vehicle", "show", "京A12345", "--json").object()
        #expect(vehicle["drivers"] as? Int == 1)
        #expect(try cli.ok("register", "list", "--status", "active", "--json").array().count == 1)

        let removed = try cli.ok("register", "remove", ref.lowercased(), "--json").object()
        #expect(removed["status"] as? String == "removed")
        let again = try cli.run(["register", "remove", ref])
        #expect(again.status == 1)
        #expect(again.stderr.contains(say(language, "\(ref) 已于 2026-11-20 11:00 解除备案", "\(ref) was already removed on 2026-11-20 11:00")) && again.stderr.contains("(R8)"), "\(again.stderr)")
        let unknown = try cli.run(["register", "confirm", "INV-0000-0000"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains(say(language, "邀请编号（ref）：没有编号为 INV-0000-0000 的备案邀请 邀请列表：driverdesk register list",
                                                  "ref: there is no invite INV-0000-0000 the list: driverdesk register list")), "\(unknown.stderr)")
        #expect(try cli.run(["register", "confirm", "京A12345"]).status == 2)
    }

    @Test("the limits: a fourth active, a fourth driver, two in one day, a sixth in a year, an expired licence, an expired invite", arguments: Backend.allCases)
    func limits(_ backend: Backend) throws {
        var cli = try CLI.shop(backend)
        for plate in ["京C11111", "京C22222", "京C33333", "京C44444", "京C55555", "京C66666"] { try car(cli, plate) }
        try staff(cli, "赵六", "110101199003070134")
        try staff(cli, "钱七", "110101198501010025")
        try staff(cli, "孙八", "110101198001010010", validUntil: "2026-09-09")
        var day = 1
        func confirmOn(_ plate: String, _ who: String) throws {
            cli.now = String(format: "2026-03-%02d 10:00", day)
            let ref = try cli.ok("register", "invite", "--plate", plate, "--staff", who, "--json").object()["ref"] as! String
            try cli.ok("register", "confirm", ref)
            day += 1
        }
        func refused(_ arguments: String...) throws -> String {
            let before = try cli.dump()
            let result = try cli.run(arguments)
            #expect(result.status == 1, "\(arguments) exited \(result.status): \(result.stderr)")
            #expect(try cli.dump() == before, "\(arguments) changed the database")
            return result.stderr
        }
        try confirmOn("京C11111", "王磊")
        try confirmOn("京C22222", "王磊")
        try confirmOn("京C33333", "王磊")
        cli.now = "2026-03-10 10:00"
        // Each refusal in the shop's language, naming the numbers and dates that decided it, with what to type next.
        let fourth = try refused("register", "invite", "--plate", "京C44444", "--staff", "王磊")
        #expect(fourth.contains("王磊同时备案已有 3/3 辆") && fourth.contains("driverdesk register remove"), "\(fourth)")

        try confirmOn("京C11111", "李强")
        try confirmOn("京C11111", "赵六")
        cli.now = "2026-03-20 10:00"
        let fourthDriver = try refused("register", "invite", "--plate", "京C11111", "--staff", "钱七")
        #expect(fourthDriver.contains("京C11111 已有 3/3 名非本人驾驶人"), "\(fourthDriver)")

        cli.now = "2026-04-01 09:00"
        let first = try cli.ok("register", "invite", "--plate", "京C44444", "--staff", "钱七", "--json").object()["ref"] as! String
        let second = try cli.ok("register", "invite", "--plate", "京C55555", "--staff", "钱七", "--json").object()["ref"] as! String
        try cli.ok("register", "confirm", first)
        let sameDay = try refused("register", "confirm", second)
        #expect(sameDay.contains("请从 2026-04-02 起确认"), "\(sameDay)")
        cli.now = "2026-04-02 09:00"
        try cli.ok("register", "confirm", second)

        // 李强: five this year (one already), then a sixth is refused until 1 January.
        for (index, plate) in ["京C22222", "京C33333", "京C44444", "京C55555"].enumerated() {
            cli.now = "2026-05-0\(index + 1) 10:00"
            let ref = try cli.ok("register", "invite", "--plate", plate, "--staff", "李强", "--json").object()["ref"] as! String
            try cli.ok("register", "confirm", ref)
            try cli.ok("register", "remove", ref)
        }
        cli.now = "2026-06-01 10:00"
        let sixth = try refused("register", "invite", "--plate", "京C66666", "--staff", "李强")
        #expect(sixth.contains("2026 年已有 5/5 次新备案") && sixth.contains("2027-01-01 起才能再备案"), "\(sixth)")

        cli.now = "2026-11-20 10:00"
        let licence = try refused("register", "invite", "--plate", "京C66666", "--staff", "孙八")
        #expect(licence.contains("孙八的驾驶证已于 2026-09-09 过期"), "\(licence)")

        let stale = try cli.ok("register", "invite", "--plate", "京C66666", "--staff", "钱七", "--json").object()["ref"] as! String
        cli.now = "2026-11-28 10:00"
        let expired = try refused("register", "confirm", stale)
        #expect(expired.contains("已于 2026-11-27 过期") && expired.contains("driverdesk register invite --plate 京C66666 --staff 钱七"), "\(expired)")
        let english = try cli.run(["register", "confirm", stale, "--lang", "en"])
        #expect(english.status == 1 && english.stderr.contains("\(stale) expired on 2026-11-27"), "\(english.stderr)")
    }

    @Test("methods: commercial and large cars need the window; SMS needs the engine number", arguments: Backend.allCases)
    func methods(_ backend: Backend) throws {
        let cli = try CLI.shop(backend)
        try car(cli, "京D11111", "--usage", "commercial")
        try car(cli, "京D22222")
        #expect(try cli.run(["register", "invite", "--plate", "京D11111", "--staff", "王磊", "--method", "qr"]).status == 1)
        #expect(try cli.ok("register", "invite", "--plate", "京D11111", "--staff", "王磊", "--json").object()["method"] as? String == "window")
        let sms = try cli.run(["register", "invite", "--plate", "京D22222", "--staff", "李强", "--method", "sms"])
        #expect(sms.status == 1)
        #expect(sms.stderr.contains("vehicle update --plate 京D22222 --engine-last6"))
        try cli.ok("vehicle", "update", "--plate", "京D22222", "--engine-last6", "9z8y7x")
        let invite = try cli.ok("register", "invite", "--plate", "京D22222", "--staff", "李强", "--method", "sms", "--json").object()
        #expect(invite["method"] as? String == "sms")
        #expect(try cli.run(["register", "invite", "--plate", "京D22222", "--staff", "王磊", "--method", "fax"]).status == 2)
        #expect(try cli.run(["register", "invite", "--plate", "京D22222", "--staff", "王磊", "--out", "x.pdf"]).status == 2)
    }
}
