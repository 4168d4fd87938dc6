import Foundation
import XCTest

// Decoding with zbarimg is the only independent proof the symbols scan, so a missing tool
// is a failure (make test installs it), never a skip.
enum ExternalTools {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    static let zbarimg = "/usr/bin/zbarimg"

    static func requireZbarimg() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: zbarimg) else {
            throw Missing(description: "zbarimg not found at \(zbarimg): install zbar-tools (apt-get install zbar-tools; `make test` does this)")
        }
        return zbarimg
    }

    /// Returns a command that rasterises SVG to PNG: ImageMagick first, librsvg as fallback.
    static func requireSVGRasteriser() throws -> (path: String, arguments: (String, String) -> [String]) {
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/convert") {
            return ("/usr/bin/convert", { svg, png in ["svg:" + svg, "png:" + png] })
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
            return ("/usr/bin/rsvg-convert", { svg, png in ["-o", png, svg] })
        }
        throw Missing(description: "no SVG rasteriser: install imagemagick (convert) or librsvg2-bin (rsvg-convert)")
    }

    static func run(_ path: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdout = Pipe()
        // stderr goes to a file so a chatty tool (zbar logs D-Bus noise) can never fill a pipe and deadlock.
        let stderrURL = temporaryURL("stderr.txt")
        guard FileManager.default.createFile(atPath: stderrURL.path, contents: nil) else {
            throw Missing(description: "cannot create \(stderrURL.path)")
        }
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        defer { try? FileManager.default.removeItem(at: stderrURL) }
        process.standardOutput = stdout
        process.standardError = stderrHandle
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try stderrHandle.close()
        let errors = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: output, stderr: errors)
    }

    /// Decodes a QR image with zbarimg and returns the raw payload bytes.
    static func decode(imageAt url: URL) throws -> [UInt8] {
        // -Sbinary hands back the exact 8-bit bytes (no charset guessing, no trailing newline);
        // without it zbar guesses the charset and adds "\n".
        let result = try run(try requireZbarimg(), ["--raw", "-q", "-Sbinary", url.path])
        guard result.status == 0 else {
            throw Missing(description: "zbarimg could not decode \(url.lastPathComponent) (exit \(result.status)): \(result.stderr)")
        }
        return [UInt8](result.stdout)
    }

    /// Decodes a QR image with zbarimg as a scanner app does, reading the text in the character set the symbol declares
    /// (ECI) or else the one zbar guesses, and returns that text without the line zbar ends it with.
    static func decodeText(imageAt url: URL) throws -> String {
        let result = try run(try requireZbarimg(), ["--raw", "-q", url.path])
        guard result.status == 0 else {
            throw Missing(description: "zbarimg could not decode \(url.lastPathComponent) (exit \(result.status)): \(result.stderr)")
        }
        var text = String(decoding: result.stdout, as: UTF8.self)
        guard text.hasSuffix("\n") else { throw Missing(description: "zbarimg printed no line for \(url.lastPathComponent): \(text)") }
        text.removeLast()
        return text
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("qrcode-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)")
    }
}
