import Foundation
import Testing

/// The day at the desk that showed a scan could record the wrong driver (issue 24), replayed in headless Chromium
/// against `driverdesk serve`: the driver on the page is always the one the clerk chose, mistakes are undone and
/// corrected, and the command line sees exactly that.
@Suite("End to end: the right driver at the desk, and corrections, in headless Chromium")
struct BrowserCorrectionTests {
    @Test("choose one driver, a refused scan with another, choose the first again, scan twice: both his; 补录 fixed after a bad time; undo; an edit moves a violation",
          arguments: Backend.allCases)
    func rightDriver(_ backend: Backend) throws {
        var cli = try CLI.shop(backend)
        try cli.ok("vehicle", "add", "--plate", "粤BD12345", "--owner", "广州某公司")  // not checked in
        cli.now = "2026-11-20 14:00"
        let server = try BrowserTests.Server(cli, now: cli.now)
        defer { server.stop() }
        let browser = try WebDriver(width: 1280, height: 1000)
        defer { browser.quit() }
        let form = "form[action='/moves/toggle'].card"
        let staffIds = Dictionary(uniqueKeysWithValues: try cli.ok("staff", "list", "--json").array().map { ($0["name"] as! String, String($0["id"] as! Int)) })

        func chosen(_ select: String) throws -> String {
            try browser.execute("var s = document.querySelector(arguments[0]); return s.options[s.selectedIndex].text", [select]) as? String ?? "?"
        }
        func choose(_ name: String, in formSelector: String = form) throws {
            try #require(try browser.findAll("\(formSelector) select[name=staff] option").first { try $0.text() == name }).click()
        }
        /// A scan at a time of the morning: the scanner types the plate and Enter; `at` is the form's own time field.
        func scan(_ plate: String, at time: String) throws {
            _ = try browser.execute("""
                var f = document.querySelector(arguments[0]); var at = f.querySelector('input[name=at]');
                if (!at) { at = document.createElement('input'); at.type = 'hidden'; at.name = 'at'; f.appendChild(at); }
                at.value = arguments[1]; window.beforeScan = true; f.querySelector('input[name=plate]').value = '';
                """, [form, "2026-11-20 " + time])
            try browser.find("\(form) input[name=plate]").type(plate + WebDriver.enter)
            try newPage("the movements page after scanning \(plate)")
        }
        /// Waits for the page that a submit leads to (the old page is marked `beforeScan`).
        func newPage(_ what: String) throws {
            try browser.wait(for: what) { (try? browser.execute("return window.beforeScan === undefined && document.readyState === 'complete'") as? Bool) == true }
        }
        func click(_ css: String) throws {
            _ = try browser.execute("window.beforeScan = true")
            try browser.find(css).click()
            try newPage("the page after \(css)")
        }
        func moves() throws -> [[String: Any]] { try cli.ok("move", "list", "--json").array() }
        func driver(of movement: [String: Any]) -> String? { (movement["staff"] as? [String: Any])?["name"] as? String }

        // A new session: nobody is preselected, and a scan that would start a movement is refused, writing nothing.
        try browser.open(server.url + "moves")
        #expect(try chosen("\(form) select[name=staff]") == "— 请选择驾驶人 —")
        var before = try cli.dump()
        try scan("京A12345", at: "13:00")
        #expect(try browser.find("p.field-error[data-field=staff]").text().contains("请先选择由谁驾驶"))
        #expect(try cli.dump() == before)

        // 王磊 is chosen; the scan starts his movement and the page shows him large; scanning again ends it.
        try choose("王磊")
        try scan("京A12345", at: "13:00")
        #expect(try browser.find("section.started p.driver").text() == "▶ 王磊")
        #expect(try chosen("\(form) select[name=staff]") == "王磊", "the choice stays after a start")
        try scan("京A12345", at: "13:05")
        #expect(try browser.find("p.flash").text().hasPrefix("■ 京A12345 · 王磊"))

        // 李强 is chosen and a car not in the shop is scanned: refused, nothing written, and 李强 stays chosen.
        before = try cli.dump()
        try choose("李强")
        try scan("粤BD12345", at: "13:08")
        #expect(try browser.find("p.field-error").text().contains("粤BD12345"))
        #expect(try chosen("\(form) select[name=staff]") == "李强", "a refused try keeps the clerk's choice")
        #expect(try cli.dump() == before)

        // 王磊 again: two scans of two cars, and both movements are his (the page never falls back to 李强).
        try choose("王磊")
        try scan("沪B88888", at: "13:10")
        #expect(try chosen("\(form) select[name=staff]") == "王磊")
        try scan("沪B88888", at: "13:20")
        try scan("京A12345", at: "13:30")
        #expect(try browser.find("section.started p.driver").text() == "▶ 王磊")
        let afterScans = try moves()
        #expect(afterScans.count == 3 && afterScans.allSatisfy { driver(of: $0) == "王磊" }, "\(afterScans.map { driver(of: $0) ?? "-" })")

        // The last start was a mistake: undone within movement.undoMinutes, it leaves the lists (and stays among the voided).
        let wrongId = try #require(afterScans.first { $0["inProgress"] as? Bool == true }?["id"] as? Int)
        try click("section.started button[name=undo]")
        try browser.wait(for: "the undo") { (try? browser.find("p.flash").text())?.contains("已撤销移车 #\(wrongId)") == true }
        #expect(try moves().count == 2)
        #expect(try cli.ok("move", "list", "--voided", "--json").array().contains { $0["id"] as? Int == wrongId && $0["voided"] as? Bool == true })

        // 补录 for 李强 with an end before its start: refused in its own form, which keeps its plate, times and driver;
        // the start form keeps 王磊. Fixed, it records 李强.
        let log = "form#log"
        try choose("李强", in: log)
        try browser.find("\(log) input[name=plate]").type("沪B88888")
        try browser.find("\(log) input[name=from]").type("2026-11-20 12:00")
        try browser.find("\(log) input[name=to]").type("2026-11-20 11:00")
        before = try cli.dump()
        try click("\(log) button")
        try browser.wait(for: "the 补录 refusal") { (try? browser.find("\(log) p.field-error").text()) != nil }
        #expect(try browser.find("\(log) p.field-error").text().contains("结束时间必须晚于开始时间"))
        #expect(try cli.dump() == before)
        #expect(try chosen("\(log) select[name=staff]") == "李强" && chosen("\(form) select[name=staff]") == "王磊")
        #expect(try browser.find("\(log) input[name=plate]").property("value") as? String == "沪B88888")
        _ = try browser.execute("document.querySelector(arguments[0]).value = ''", ["\(log) input[name=to]"])
        try browser.find("\(log) input[name=to]").type("2026-11-20 12:30")
        try click("\(log) button")
        try browser.wait(for: "the 补录 saved") { (try? browser.find("p.flash").text())?.contains("李强") == true }
        let logged = try #require(try moves().first { $0["startAt"] as? String == "2026-11-20T12:00:00+08:00" })
        #expect(driver(of: logged) == "李强" && logged["endAt"] as? String == "2026-11-20T12:30:00+08:00")

        // A camera at 13:15 on 沪B88888 goes to 王磊 (his movement 13:10–13:20); 李强 really drove it: the movement's page
        // corrects the driver, and the violation follows him.
        let violation = try cli.ok("violation", "add", "--plate", "沪B88888", "--at", "2026-11-20 13:15", "--code", "1625", "--json").object()
        let violationId = try #require(violation["id"] as? Int)
        #expect((violation["driver"] as? [String: Any])?["name"] as? String == "王磊")
        let wangs = try #require(try moves().first { $0["startAt"] as? String == "2026-11-20T13:10:00+08:00" }?["id"] as? Int)
        try browser.open(server.url + "moves/\(wangs)")
        try browser.find("form[action='/moves/\(wangs)/edit'] select[name=staff] option[value='\(staffIds["李强"]!)']").click()
        try browser.find("form[action='/moves/\(wangs)/edit'] input[name=reason]").type("钥匙登记错人，是李强开的")
        try click("form[action='/moves/\(wangs)/edit'] button")
        try browser.wait(for: "the edit") { (try? browser.find("p.flash").text())?.contains("#\(violationId): 王磊 → 李强") == true }
        let corrected = try cli.ok("violation", "show", String(violationId), "--json").object()
        #expect((corrected["driver"] as? [String: Any])?["name"] as? String == "李强")
        let audit = try cli.ok("audit", "--json").array().map { $0["action"] as? String ?? "" }
        #expect(audit.suffix(3) == ["violation.add", "movement.edit", "violation.reattribute"], "\(audit.suffix(3))")

        // The pages as the desk sees them, at a PC's and at a phone's width.
        let folder = SlipPrintTests.artifacts
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try browser.open(server.url + "moves")
        try browser.screenshot().write(to: folder.appendingPathComponent("corrections-moves-\(backend.rawValue).png"))
        try browser.open(server.url + "moves/\(wangs)")
        try browser.screenshot().write(to: folder.appendingPathComponent("corrections-movement-\(backend.rawValue).png"))
    }
}
