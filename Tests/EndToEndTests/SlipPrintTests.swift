import Foundation
import Testing

/// The invite slip printed by a real browser: one A5 page, an 80 mm receipt column, Chinese glyphs, a QR that scans.
@Suite("End to end: the printed invite slip")
struct SlipPrintTests {
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("test-artifacts")

    /// A font of a PDF as `pdffonts` lists it, with the name its font descriptor gives: pdffonts calls the Type 3 fonts
    /// Chromium writes "[none]", and only their /FontDescriptor says which font the glyphs came from.
    struct PDFFont: CustomStringConvertible {
        var name: String, type: String, embedded: Bool, object: Int
        var fontName: String?
        var description: String { "\(name) \(type) emb=\(embedded) obj=\(object) FontName=\(fontName ?? "-")" }
    }

    /// `pdffonts PDF`, each row read by the columns its dashed line marks out; throws unless it lists at least one font.
    func fonts(_ pdf: String) throws -> [PDFFont] {
        let lines = try toolOutput("/usr/bin/pdffonts", [pdf]).split(separator: "\n").map(String.init)
        guard let dashes = lines.firstIndex(where: { $0.hasPrefix("---") }) else { throw ToolFailure(description: "pdffonts \(pdf): no table") }
        // Each column runs from its dashes to the next ones ("------ ----- --- ...").
        var columns: [Range<Int>] = []
        var start: Int?
        for (index, char) in Array(lines[dashes] + " ").enumerated() {
            if char == "-", start == nil { start = index }
            if char == " ", let from = start { columns.append(from..<index); start = nil }
        }
        guard columns.count == 7 else { throw ToolFailure(description: "pdffonts \(pdf): \(columns.count) columns, not 7") }
        let bytes = try String(decoding: Data(contentsOf: URL(fileURLWithPath: pdf)), as: Unicode.ASCII.self)
        let fonts = lines[(dashes + 1)...].map { line -> PDFFont in
            let chars = Array(line)
            let cell = { (column: Int) in
                String(chars[min(columns[column].lowerBound, chars.count)..<min(columns[column].upperBound, chars.count)]).trimmingCharacters(in: .whitespaces)
            }
            let object = Int(cell(6).split(separator: " ").first ?? "") ?? 0
            return PDFFont(name: cell(0), type: cell(1), embedded: cell(3) == "yes", object: object, fontName: fontName(ofFont: object, in: bytes))
        }
        guard !fonts.isEmpty else { throw ToolFailure(description: "pdffonts \(pdf) listed no font") }
        return fonts
    }

    /// The /FontName of a font object's /FontDescriptor (Chromium writes these dictionaries uncompressed).
    func fontName(ofFont number: Int, in pdf: String) -> String? {
        func object(_ number: Int) -> Substring? {
            guard let start = pdf.range(of: "\n\(number) 0 obj"), let end = pdf.range(of: "endobj", range: start.upperBound..<pdf.endIndex) else { return nil }
            return pdf[start.upperBound..<end.lowerBound]
        }
        guard let font = object(number), let descriptor = font.firstMatch(of: /\/FontDescriptor (\d+) 0 R/), let number = Int(descriptor.1),
              let name = object(number)?.firstMatch(of: /\/FontName \/([^\s\/>]+)/) else { return nil }
        return String(name.1)
    }

    func chromium() throws -> String {
        // Debian's chromium, which scripts/install-packages.sh installs (and the preflight proves prints PDFs).
        let path = "/usr/bin/chromium"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        throw CLIError.missingBinary("chromium (make test installs it)")
    }

    @Test("A5 and 80 mm, each method, Chinese only or with English: printed to PDF by Chromium, one page (A5; a roll's 80 x 200 mm, 360 with English), Noto Sans CJK embedded (Type 3), the QR decodes to the payload",
          arguments: [("a5", "qr", false), ("80mm", "qr", false), ("a5", "sms", false), ("a5", "window", false), ("80mm", "sms", false), ("80mm", "window", false),
                      ("80mm", "sms", true), ("a5", "window", true)])
    func printed(_ paper: String, _ method: String, _ english: Bool) throws {
        let browser = try chromium()
        let cli = try CLI.shop()
        if method == "sms" { try cli.ok("vehicle", "update", "--plate", "京A12345", "--engine-last6", "A1B2C3") }
        if method == "window" { try cli.ok("vehicle", "update", "--plate", "京A12345", "--usage", "commercial") }
        let invite = try cli.ok("register", "invite", "--plate", "京A12345", "--staff", "王磊", "--method", method, "--json").object()
        let ref = try #require(invite["ref"] as? String)
        let payload = try #require(invite["payload"] as? String)
        try FileManager.default.createDirectory(at: SlipPrintTests.artifacts, withIntermediateDirectories: true)
        let base = SlipPrintTests.artifacts.appendingPathComponent("slip-\(paper)-\(method)\(english ? "-en" : "")")
        let html = base.appendingPathExtension("html").path, pdf = base.appendingPathExtension("pdf").path
        try cli.ok(["register", "print", ref, "--out", html, "--paper", paper] + (english ? ["--english"] : []))
        let status = try tool(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)"])
        #expect(status == 0)
        let info = try toolOutput("/usr/bin/pdfinfo", [pdf])
        let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        let size = info.split(separator: "\n").first { $0.hasPrefix("Page size:") }.map(String.init) ?? ""
        let points = size.split(whereSeparator: { $0 == " " || $0 == ":" }).compactMap { Double($0) }
        #expect(points.count >= 2)
        #expect(pages == "1", "a slip prints on one page (a receipt roll's one piece): \(info)")
        if paper == "a5" {
            #expect(abs((points.first ?? 0) - 419.5) < 2 && abs((points.dropFirst().first ?? 0) - 595.3) < 2, "A5 is 419.5 x 595.3 pt: \(size)")
        } else {
            #expect(abs((points.first ?? 0) - 226.8) < 2, "80 mm is 226.8 pt wide: \(size)")
            // 200 mm is 566.9 pt; with the English lines 360 mm (1020.5 pt).
            #expect((points.dropFirst().first ?? 0) <= (english ? 1021 : 567.5), "the 80 mm slip is at most \(english ? 360 : 200) mm long: \(size)")
        }
        // The Chinese glyphs travel in the PDF: Chromium embeds Noto Sans CJK's (CFF) outlines as Type 3 fonts, which
        // pdffonts names "[none]"; their font descriptors name Noto Sans CJK. Without a CJK font Chromium draws boxes
        // from DejaVu, embedded as CID TrueType, and pdftotext still reads the Chinese text from the ToUnicode map.
        let fonts = try fonts(pdf)
        let cjk = fonts.filter { $0.embedded && $0.type == "Type 3" && ($0.fontName ?? "").contains("NotoSansCJK") }
        #expect(!cjk.isEmpty, "no embedded Noto Sans CJK font in \(pdf): \(fonts)")
        let text = try toolOutput("/usr/bin/pdftotext", [pdf, "-"])
        #expect(text.contains("王磊") && text.contains("京A12345") && text.contains(ref))
        // Chinese only unless the owner reads English.
        #expect(text.contains("Dear") == english && text.contains("non-owner") == english, "English lines \(english ? "missing" : "printed on a Chinese slip")")
        #expect(try tool("/usr/bin/pdftoppm", ["-png", "-r", "150", "-f", "1", "-l", "1", pdf, base.path]) == 0)
        let page = base.path + (FileManager.default.fileExists(atPath: base.path + "-1.png") ? "-1.png" : "-01.png")
        #expect(try zbar(page) == payload)
    }

    @Test("the key tag, 80 mm and A5: one page each, and its QR scans to the car's tag", arguments: ["80mm", "a5"])
    func keyTag(_ paper: String) throws {
        let browser = try chromium()
        let cli = try CLI.shop()
        try FileManager.default.createDirectory(at: SlipPrintTests.artifacts, withIntermediateDirectories: true)
        let base = SlipPrintTests.artifacts.appendingPathComponent("key-tag-\(paper)")
        let html = base.appendingPathExtension("html").path, pdf = base.appendingPathExtension("pdf").path
        let tag = try cli.ok("vehicle", "tag", "--plate", "京A12345", "--out", html, "--paper", paper, "--json").object()
        #expect(try tool(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)"]) == 0)
        let info = try toolOutput("/usr/bin/pdfinfo", [pdf])
        #expect(info.contains("Pages:           1"), "the key tag prints on one page: \(info)")
        #expect(try tool("/usr/bin/pdftoppm", ["-png", "-r", "150", "-f", "1", "-l", "1", pdf, base.path]) == 0)
        let page = base.path + (FileManager.default.fileExists(atPath: base.path + "-1.png") ? "-1.png" : "-01.png")
        let token = try #require(tag["keyTag"] as? String)
        #expect(try zbarText(page).contains(token))
    }

    @Test("the custody report, 80 mm and A5, Chinese only or with English, a short stay and a long one: printed by Chromium on one page, the roll 80 mm wide, the sheet A5",
          arguments: [("80mm", false, 2), ("80mm", true, 2), ("80mm", false, 12), ("80mm", true, 12), ("a5", false, 2), ("a5", true, 12)])
    func custodyReport(_ paper: String, _ english: Bool, _ movements: Int) throws {
        let browser = try chromium()
        let cli = try CLI.bare()
        try cli.ok("visit", "checkin", "--plate", "京A12345", "--at", "2026-11-20 08:00", "--odometer", "12345", "--fuel", "50")
        for index in 0..<movements {
            let start = 8 * 60 + 10 + index * 40
            let clock = { (minute: Int) in String(format: "2026-11-20 %02d:%02d", minute / 60, minute % 60) }
            try cli.ok("move", "log", "--plate", "京A12345", "--staff", index % 2 == 0 ? "王磊" : "李强", "--from", clock(start), "--to", clock(start + 25),
                       "--purpose", index % 3 == 0 ? "road-test" : "parking")
        }
        try cli.ok("visit", "checkout", "--plate", "京A12345", "--at", "2026-11-20 17:30", "--odometer", "12400", "--fuel", "30")
        try FileManager.default.createDirectory(at: SlipPrintTests.artifacts, withIntermediateDirectories: true)
        let base = SlipPrintTests.artifacts.appendingPathComponent("custody-report-\(paper)-\(movements)\(english ? "-en" : "")")
        let html = base.appendingPathExtension("html").path, pdf = base.appendingPathExtension("pdf").path
        try cli.ok(["visit", "report", "--plate", "京A12345", "--out", html, "--paper", paper] + (english ? ["--english"] : []))
        #expect(try tool(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)"]) == 0)
        let info = try toolOutput("/usr/bin/pdfinfo", [pdf])
        #expect(info.contains("Pages:           1"), "the custody report prints on one page: \(info)")
        let size = info.split(separator: "\n").first { $0.hasPrefix("Page size:") }.map(String.init) ?? ""
        let points = size.split(whereSeparator: { $0 == " " || $0 == ":" }).compactMap { Double($0) }
        if paper == "a5" {
            #expect(abs((points.first ?? 0) - 419.5) < 2 && abs((points.dropFirst().first ?? 0) - 595.3) < 2, "A5 is 419.5 x 595.3 pt: \(size)")
        } else {
            #expect(abs((points.first ?? 0) - 226.8) < 2, "80 mm is 226.8 pt wide: \(size)")
        }
        let text = try toolOutput("/usr/bin/pdftotext", [pdf, "-"])
        #expect(text.contains("车辆在店记录") && text.contains("京A12345") && text.contains("王磊") && text.contains("公里"), "\(text)")
        #expect(text.contains("Custody report") == english, "English lines \(english ? "missing" : "printed on a Chinese report")")
        // Every movement is printed, the last one too.
        #expect(text.components(separatedBy: "分钟").count - 1 >= movements, "\(text)")
        let cjk = try fonts(pdf).filter { $0.embedded && $0.type == "Type 3" && ($0.fontName ?? "").contains("NotoSansCJK") }
        #expect(!cjk.isEmpty, "no embedded Noto Sans CJK font in \(pdf)")
    }
}
