import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser lives here on Linux.
#endif
import QRCode
import XCTest

/// Structural checks on the SVG: standalone-valid, compact, and an exact picture of the modules.
final class SVGTests: XCTestCase {
    func testHeaderDimensionsAndSinglePath() throws {
        let code = try QRCode(text: Payloads.invite)
        let svg = code.svg()
        let side = code.size + 8
        XCTAssert(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), "must be standalone SVG")
        XCTAssert(svg.contains("width=\"\(side * 8)\" height=\"\(side * 8)\""))
        XCTAssert(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        XCTAssert(svg.contains("shape-rendering=\"crispEdges\""))
        XCTAssertEqual(svg.components(separatedBy: "<path").count - 1, 1, "one path for all dark modules")
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, 1, "only the background rect")
        XCTAssert(svg.hasSuffix("</svg>"))
        // No XML prolog or doctype, so the same string can be pasted inline into HTML.
        XCTAssertFalse(svg.contains("<?xml"))
        XCTAssertFalse(svg.contains("<!DOCTYPE"))
    }

    func testPathPaintsExactlyTheDarkModules() throws {
        for quiet in [0, 4] {
            let code = try QRCode(text: Payloads.long)
            let painted = try paintedModules(in: code.svg(quietZone: quiet), quietZone: quiet)
            for y in 0..<code.size {
                for x in 0..<code.size {
                    XCTAssertEqual(painted.contains(y * code.size + x), code[x, y], "module (\(x), \(y)) quiet \(quiet)")
                }
            }
            let darkCount = (0..<code.size * code.size).filter { code[$0 % code.size, $0 / code.size] }.count
            XCTAssertEqual(painted.count, darkCount)
        }
    }

    func testRunsAreMergedSoOutputStaysSmall() throws {
        let code = try QRCode(text: Payloads.long)
        let svg = code.svg()
        let runs = svg.components(separatedBy: "M").count - 1
        let darkCount = (0..<code.size * code.size).filter { code[$0 % code.size, $0 / code.size] }.count
        XCTAssertLessThan(runs, darkCount * 3 / 4, "runs should merge neighbouring modules")
        XCTAssertLessThan(svg.utf8.count, 16 * darkCount)
    }

    func testColoursAreEscaped() throws {
        let svg = try QRCode(text: Payloads.ascii).svg(darkColor: "red\"/><script>", lightColor: "rgb(1,2,3)")
        XCTAssertFalse(svg.contains("<script>"))
        XCTAssert(svg.contains("fill=\"red&quot;/&gt;&lt;script&gt;\""))
        XCTAssert(svg.contains("fill=\"rgb(1,2,3)\""))
    }

    func testParsesAsXML() throws {
        let svg = try QRCode(text: Payloads.invite).svg()
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssert(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
    }

    /// Replays the `M x y h n v1 h-n z` runs back into a set of module indices.
    private func paintedModules(in svg: String, quietZone: Int) throws -> Set<Int> {
        let start = try XCTUnwrap(svg.range(of: " d=\""))
        let end = try XCTUnwrap(svg.range(of: "\"", range: start.upperBound..<svg.endIndex))
        let path = svg[start.upperBound..<end.lowerBound]
        let code = try QRCode(text: Payloads.long)
        var painted = Set<Int>()
        for command in path.split(separator: "M") {
            let scanner = Scanner(string: String(command))
            var x = 0, y = 0, run = 0, back = 0
            XCTAssert(scanner.scanInt(&x) && scanner.scanInt(&y), "bad command \(command)")
            XCTAssertNotNil(scanner.scanString("h"))
            XCTAssert(scanner.scanInt(&run))
            XCTAssertNotNil(scanner.scanString("v1h"))
            XCTAssert(scanner.scanInt(&back))
            XCTAssertEqual(back, -run)
            XCTAssertNotNil(scanner.scanString("z"))
            XCTAssert(scanner.isAtEnd)
            for dx in 0..<run {
                let inserted = painted.insert((y - quietZone) * code.size + (x - quietZone + dx)).inserted
                XCTAssert(inserted, "module painted twice")
            }
        }
        return painted
    }
}
