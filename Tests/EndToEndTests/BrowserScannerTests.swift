import Foundation
import Testing

/// What a USB scanner in keyboard mode types for a code: its ASCII characters as key presses, every other character
/// dropped (a keyboard has no key for 京), each line break as Enter, and Enter at the end.
func scannerKeys(_ payload: String) -> String {
    var keys = ""
    for scalar in payload.unicodeScalars {
        if scalar == "\n" { keys += WebDriver.enter } else if scalar == "\r" { continue } else if scalar.isASCII, scalar.value >= 0x20, scalar.value < 0x7F { keys.unicodeScalars.append(scalar) }
    }
    return keys + WebDriver.enter
}

extension BrowserTests {
    @Test("a USB scanner in keyboard mode, key by key: every key tag opens its car and starts and ends its movement; every invite opens its invite; old key tags still find their car; nothing else is written")
    func keyboardScanner() throws {
        var cli = try CLI.bare()
        cli.now = "2026-11-20 14:00"
        let plates = ScannerCodeTests.plates
        // A driver for each car, so that all of them can be driven at once.
        let drivers = ["王磊", "李强", "赵一", "钱二", "孙三", "周四"]
        for (index, name) in drivers.enumerated().dropFirst(2) {
            try cli.ok("staff", "add", "--name", name, "--id-number", idNumber(birth: "19900101", serial: String(format: "%03d", index)),
                       "--license-class", "C1", "--license-first-issued", "2012-01-01", "--license-valid-until", "2032-01-01")
        }
        for plate in plates {
            if plate != "京A12345" { try cli.ok("vehicle", "add", "--plate", plate, "--owner", "车主", "--engine-last6", "123456") }
            try cli.ok("visit", "checkin", "--plate", plate, "--at", "2026-11-20 09:00")
        }
        // What the printed codes hold, as zbarimg reads them off the images the tool wrote.
        let tags = try plates.enumerated().map { index, plate -> String in
            let png = cli.folder.appendingPathComponent("scan-tag-\(index).png").path
            try cli.ok("vehicle", "tag", "--plate", plate, "--out", png)
            return try zbarText(png)
        }
        var invites: [(ref: String, payload: String)] = []
        for (index, method) in ["qr", "sms", "window"].enumerated() {
            let png = cli.folder.appendingPathComponent("scan-invite-\(index).png").path
            let made = try cli.ok("register", "invite", "--plate", plates[index], "--staff", drivers[index], "--method", method, "--out", png, "--json").object()
            invites.append((try #require(made["ref"] as? String), try zbarText(png)))
        }
        for payload in tags + invites.map(\.payload) {
            #expect(!payload.contains("\n"), "a line break would press Enter in the middle of \(payload)")
        }

        let browser = try WebDriver()
        defer { browser.quit() }
        var server = try Server(cli, now: cli.now)
        defer { server.stop() }
        func at(_ path: String) throws -> Bool { try browser.currentURL().removingPercentEncoding == server.url + path }
        let nothing = Written(audit: [], tables: [])
        var scans = 0

        // (a) The scanner field on the dashboard: each key tag opens its car, each invite slip its invite.
        for (plate, payload) in zip(plates, tags) {
            let written = try written(cli) {
                try browser.open(server.url)
                try browser.find("form.scan input").type(scannerKeys(payload))
                try browser.wait(for: "the page of \(plate) after scanning \(payload)") { try at("vehicles/\(plate)") }
                #expect(try browser.find("main .card h2").text().hasPrefix(plate))
            }
            #expect(written == nothing, "scanning the key tag of \(plate)")
            scans += 1
        }
        for invite in invites {
            let written = try written(cli) {
                try browser.open(server.url)
                try browser.find("form.scan input").type(scannerKeys(invite.payload))
                try browser.wait(for: "the invite \(invite.ref)") { try at("invites/\(invite.ref)") }
            }
            #expect(written == nothing, "scanning the slip of \(invite.ref)")
            scans += 1
        }

        // (b) Key tags printed before: the bare plate, of which the scanner types the letters and digits. One car has
        // them: it opens; 京A1234挂 and 京A1234学 share A1234: the page lists both.
        for plate in plates {
            let written = try written(cli) {
                try browser.open(server.url)
                try browser.find("form.scan input").type(scannerKeys(plate))
                if plate.hasSuffix("挂") || plate.hasSuffix("学") {
                    try browser.wait(for: "the list of cars for A1234") { try browser.currentURL().contains("/scan?") }
                    let links = try browser.findAll("main .candidates a").map { try $0.text() }
                    #expect(links == ["京A1234学", "京A1234挂"].sorted(), "the cars listed for A1234: \(links)")
                } else {
                    try browser.wait(for: "the page of \(plate) after scanning its old tag") { try at("vehicles/\(plate)") }
                }
            }
            #expect(written == nothing, "scanning the old key tag of \(plate)")
            scans += 1
        }

        // (c) The movements page: a driver is chosen and each key tag is scanned; its movement starts.
        for (index, (plate, payload)) in zip(plates, tags).enumerated() {
            let started = try written(cli) {
                try browser.open(server.url + "moves")
                let form = "form[action='/moves/toggle'].card"
                try #require(try browser.findAll("\(form) select[name=staff] option").first { try $0.text() == drivers[index] }).click()
                try browser.find("\(form) input[name=plate]").type(scannerKeys(payload))
                // The page opened showed the last start (within its undo time): wait for this scan's.
                try browser.wait(for: "the start of \(plate)") { (try? browser.find("section.started p.muted").text())?.contains(plate) == true }
                let driver = try browser.find("section.started p.driver").text(), what = try browser.find("section.started p.muted").text()
                #expect(driver == "▶ \(drivers[index])" && what.contains(plate) && what.contains("路试"), "after scanning \(payload): \(driver) \(what)")
            }
            #expect(started == Written(audit: ["web movement.start 2026-11-20T14:00:00+08:00"], tables: ["audit", "movement"]), "\(plate)")
            scans += 1
        }
        // An invite slip scanned on the movements page is no car: the page says what it read; nothing is written.
        for invite in invites {
            let written = try written(cli) {
                try browser.open(server.url + "moves")
                try browser.find("form[action='/moves/toggle'].card input[name=plate]").type(scannerKeys(invite.payload))
                try browser.wait(for: "the movements page's answer") { (try? browser.find("p.field-error[data-field=plate]").text())?.contains(invite.ref) == true }
                #expect(try browser.find("p.field-error[data-field=plate]").text().hasPrefix("没有找到“\(invite.ref)"))
            }
            #expect(written == nothing, "the slip of \(invite.ref) on the movements page")
            scans += 1
        }

        // (d) Half an hour later each key tag is scanned again: its movement ends.
        server.stop()
        cli.now = "2026-11-20 14:30"
        server = try Server(cli, now: cli.now)
        for (index, (plate, payload)) in zip(plates, tags).enumerated() {
            let ended = try written(cli) {
                if index == 0 {
                    // The page opened from a car picked in a list: its plate field is filled in (with another car) and
                    // selected, and the scanner types over it into the focused field.
                    let other = plates[1].addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                    try browser.open(server.url + "moves?plate=" + other)
                    #expect(try browser.find("form[action='/moves/toggle'].card input[name=plate]").property("value") as? String == plates[1])
                    let focus = try browser.execute("var e = document.activeElement; return [e.name, e.selectionStart, e.selectionEnd, e.value.length];") as? [Any]
                    #expect(focus?.map { "\($0)" } == ["plate", "0", "\(plates[1].utf16.count)", "\(plates[1].utf16.count)"], "the filled-in plate is focused and selected: \(focus ?? [])")
                    try browser.pressKeys(scannerKeys(payload))
                } else {
                    try browser.open(server.url + "moves")
                    try browser.find("form[action='/moves/toggle'].card input[name=plate]").type(scannerKeys(payload))
                }
                let flash = try browser.find("p.flash").text()
                #expect(flash == "■ \(plate) · \(drivers[index]) · 30 分钟", "after scanning \(payload): \(flash)")
            }
            #expect(ended == Written(audit: ["web movement.end 2026-11-20T14:30:00+08:00"], tables: ["audit", "movement"]), "\(plate)")
            scans += 1
        }
        let moves = try cli.ok("move", "list", "--json").array()
        #expect(moves.count == plates.count)
        #expect(Set(moves.compactMap { $0["plate"] as? String }) == Set(plates))
        #expect(moves.allSatisfy { $0["minutes"] as? Int == 30 && $0["inProgress"] as? Bool == false })
        #expect(scans == 30)
    }
}
