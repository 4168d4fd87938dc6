import Foundation
import Testing

/// What zbarimg reads from a QR image as a scanner app does: the text in the character set the symbol declares (ECI) or
/// else the one zbar guesses, without the line zbar ends it with. Fails when zbarimg fails or prints no line.
func zbarText(_ path: String) throws -> String {
    let out = try toolOutput("/usr/bin/zbarimg", ["--raw", "-q", path])
    guard out.hasSuffix("\n") else { throw ToolFailure(description: "zbarimg \(path) printed no line: \(out)") }
    return String(out.dropLast())
}

/// Rasterises an SVG with ImageMagick; fails when convert fails.
func rasterise(_ svg: String, to png: String) throws {
    let status = try tool("/usr/bin/convert", ["-density", "144", svg, png])
    guard status == 0, FileManager.default.fileExists(atPath: png) else {
        throw ToolFailure(description: "convert \(svg) \(png) exited \(status)")
    }
}

/// The QR of a printable HTML page (a key tag, an invite slip), as its own SVG file rasterised.
func htmlQR(_ html: String, folder: URL, name: String) throws -> String {
    let page = try String(contentsOfFile: html, encoding: .utf8)
    guard let start = page.range(of: "<svg"), let end = page.range(of: "</svg>", range: start.upperBound..<page.endIndex) else {
        throw ToolFailure(description: "\(html) holds no <svg>")
    }
    let svg = folder.appendingPathComponent("\(name).svg").path
    try String(page[start.lowerBound..<end.upperBound]).write(toFile: svg, atomically: true, encoding: .utf8)
    let png = folder.appendingPathComponent("\(name).png").path
    try rasterise(svg, to: png)
    return png
}

/// A valid 18-digit ID number (GB 11643 check character) for a person born on `birth` (yyyyMMdd).
func idNumber(birth: String, serial: String) -> String {
    let body = "110105" + birth + serial
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
    return body + String(Array("10X98765432")[sum % 11])
}

@Suite("End to end: every code the tool prints reads back exactly in zbarimg")
struct ScannerCodeTests {
    /// Every shape of plate: regular, new-energy small and large, 挂 and 学, and the one zbar used to misread.
    static let plates = ["京A12345", "京HDG3897", "粤BD12345", "沪A12345D", "京A1234挂", "京A1234学"]
    static let longShop = "北京市朝阳区东三环北路某某汽车维修服务有限公司第二分店（国贸店）"
    static let longName = "迪丽热巴·迪力木拉提·阿卜杜热合曼"

    /// A shop with the cars of every shape and a staff member with a long name.
    static func shop() throws -> CLI {
        let cli = try CLI.bare()
        for plate in plates where plate != "京A12345" {
            try cli.ok("vehicle", "add", "--plate", plate, "--owner", "车主", "--engine-last6", "123456")
        }
        try cli.ok("staff", "add", "--name", longName, "--id-number", idNumber(birth: "19900101", serial: "002"), "--license-class", "C1",
                   "--license-first-issued", "2012-01-01", "--license-valid-until", "2032-01-01")
        return cli
    }

    @Test("key tags of every plate shape, under a short and a long shop name: PNG, SVG and the printable page read as token and plate")
    func keyTags() throws {
        let cli = try ScannerCodeTests.shop()
        var decoded = 0
        for shop in ["测试汽修", ScannerCodeTests.longShop] {
            try cli.ok("config", "set", "shop.name", shop)
            for (index, plate) in ScannerCodeTests.plates.enumerated() {
                let base = cli.folder.appendingPathComponent("tag-\(shop.count)-\(index)").path
                let tag = try cli.ok("vehicle", "tag", "--plate", plate, "--out", base + ".png", "--json").object()
                let token = try #require(tag["keyTag"] as? String)
                #expect(token.allSatisfy(\.isASCII) && !token.isEmpty, "\(plate): \(token)")
                let payload = "\(token) \(plate)"
                try cli.ok("vehicle", "tag", "--plate", plate, "--out", base + ".svg")
                try rasterise(base + ".svg", to: base + "-svg.png")
                try cli.ok("vehicle", "tag", "--plate", plate, "--out", base + ".html", "--paper", "a5")
                let page = try String(contentsOfFile: base + ".html", encoding: .utf8)
                #expect(page.contains(">\(token)<"), "the token is printed under the code of \(plate)")
                for image in [base + ".png", base + "-svg.png", try htmlQR(base + ".html", folder: cli.folder, name: "tag-page-\(index)")] {
                    let read = try zbarText(image)
                    #expect(Array(read.utf8) == Array(payload.utf8), "\(image): read \(read), printed \(payload)")
                    decoded += 1
                }
            }
        }
        #expect(decoded == 36)
    }

    @Test("invites of each method, to staff with short and long names, under short and long shop names: the QR, the card and the slip read back exactly, ref first, on one line")
    func invites() throws {
        var cli = try ScannerCodeTests.shop()
        let invites: [(staff: String, method: String, plate: String)] = [
            ("王磊", "qr", "京A12345"), (ScannerCodeTests.longName, "sms", "粤BD12345"), ("李强", "window", "沪A12345D"),
            (ScannerCodeTests.longName, "qr", "京HDG3897"), ("王磊", "sms", "京A1234学"), ("李强", "window", "京A12345"),
        ]
        var decoded = 0
        for (index, invite) in invites.enumerated() {
            // Three invites under each shop name, a day apart (a driver registers one car a day).
            try cli.ok("config", "set", "shop.name", index < 3 ? "测试汽修" : ScannerCodeTests.longShop)
            cli.now = "2026-11-\(20 + index) 10:00"
            let base = cli.folder.appendingPathComponent("invite-\(index)").path
            let made = try cli.ok("register", "invite", "--plate", invite.plate, "--staff", invite.staff, "--method", invite.method,
                                  "--out", base + ".png", "--json").object()
            let ref = try #require(made["ref"] as? String)
            let payload = try #require(made["payload"] as? String)
            #expect(payload.hasPrefix(ref + " ") && !payload.contains("\n") && !payload.contains("\r"), "\(invite.method): \(payload)")
            #expect(payload.contains(invite.staff) && payload.contains(invite.plate))
            try cli.ok("register", "print", ref, "--out", base + ".svg")
            try rasterise(base + ".svg", to: base + "-card.png")
            try cli.ok("register", "print", ref, "--out", base + ".html", "--paper", index.isMultiple(of: 2) ? "a5" : "80mm")
            for image in [base + ".png", base + "-card.png", try htmlQR(base + ".html", folder: cli.folder, name: "slip-\(index)")] {
                let read = try zbarText(image)
                #expect(Array(read.utf8) == Array(payload.utf8), "\(image): read \(read), printed \(payload)")
                decoded += 1
            }
        }
        #expect(decoded == 18)
    }
}
