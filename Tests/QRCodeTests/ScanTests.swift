import Foundation
import QRCode
import XCTest

/// Round-trips real payloads through zbarimg to prove the PNG and SVG output actually scan.
final class ScanTests: XCTestCase {
    func testPNGDecodesToExactPayload() throws {
        for (name, text) in Payloads.all {
            let code = try QRCode(text: text)
            let url = ExternalTools.temporaryURL("\(name).png")
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(try code.png()).write(to: url)

            let decoded = try ExternalTools.decode(imageAt: url)
            XCTAssertEqual(decoded, Array(text.utf8), "payload \(name): bytes differ")
            XCTAssertEqual(String(decoding: decoded, as: UTF8.self), text, "payload \(name)")
        }
    }

    func testEveryCorrectionLevelScans() throws {
        for correction in QRCode.Correction.allCases {
            let code = try QRCode(text: Payloads.invite, correction: correction)
            XCTAssertEqual(code.correction, correction)
            let url = ExternalTools.temporaryURL("\(correction.rawValue).png")
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(try code.png(scale: 4)).write(to: url)
            XCTAssertEqual(String(decoding: try ExternalTools.decode(imageAt: url), as: UTF8.self), Payloads.invite,
                           "correction \(correction)")
        }
    }

    func testSVGRasterisedDecodesToExactPayload() throws {
        let rasteriser = try ExternalTools.requireSVGRasteriser()
        for (name, text) in Payloads.all {
            let code = try QRCode(text: text)
            let svgURL = ExternalTools.temporaryURL("\(name).svg")
            let pngURL = ExternalTools.temporaryURL("\(name)-from-svg.png")
            defer {
                try? FileManager.default.removeItem(at: svgURL)
                try? FileManager.default.removeItem(at: pngURL)
            }
            try code.svg().write(to: svgURL, atomically: true, encoding: .utf8)

            let result = try ExternalTools.run(rasteriser.path, rasteriser.arguments(svgURL.path, pngURL.path))
            XCTAssertEqual(result.status, 0, "rasterising \(name) failed: \(result.stderr)")
            XCTAssertEqual(String(decoding: try ExternalTools.decode(imageAt: pngURL), as: UTF8.self), text,
                           "SVG payload \(name)")
        }
    }

    func testCustomColoursStillRasteriseAndScan() throws {
        // Light-on-dark is a common theme choice; the SVG must still describe a scannable symbol.
        let rasteriser = try ExternalTools.requireSVGRasteriser()
        let code = try QRCode(text: Payloads.url)
        let svgURL = ExternalTools.temporaryURL("colours.svg")
        let pngURL = ExternalTools.temporaryURL("colours.png")
        defer {
            try? FileManager.default.removeItem(at: svgURL)
            try? FileManager.default.removeItem(at: pngURL)
        }
        try code.svg(moduleSize: 6, darkColor: "#1a237e", lightColor: "#fffde7")
            .write(to: svgURL, atomically: true, encoding: .utf8)
        let result = try ExternalTools.run(rasteriser.path, rasteriser.arguments(svgURL.path, pngURL.path))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(String(decoding: try ExternalTools.decode(imageAt: pngURL), as: UTF8.self), Payloads.url)
    }
}
