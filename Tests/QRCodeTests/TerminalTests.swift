import QRCode
import XCTest

/// The half-block rendering must be a faithful, phone-scannable picture of the modules.
final class TerminalTests: XCTestCase {
    private let glyphs: [Character: (top: Bool, bottom: Bool)] = [
        " ": (false, false), "▀": (true, false), "▄": (false, true), "█": (true, true),
    ]

    func testLineCountAndAlphabet() throws {
        for (name, text) in Payloads.all {
            let code = try QRCode(text: text)
            for quiet in [0, 1, 2, 4] {
                let lines = code.terminal(quietZone: quiet).components(separatedBy: "\n")
                let side = code.size + 2 * quiet
                XCTAssertEqual(lines.count, (side + 1) / 2, "\(name) quiet \(quiet)")
                for line in lines {
                    XCTAssertEqual(line.count, side)
                    XCTAssert(line.allSatisfy { glyphs[$0] != nil }, "unexpected character in \(name)")
                }
            }
        }
    }

    func testGlyphsReproduceModules() throws {
        let code = try QRCode(text: Payloads.invite)
        for invert in [false, true] {
            for quiet in [1, 2] {
                let lines = code.terminal(quietZone: quiet, invert: invert).components(separatedBy: "\n")
                for (row, line) in lines.enumerated() {
                    for (column, character) in line.enumerated() {
                        let ink = try XCTUnwrap(glyphs[character])
                        let x = column - quiet
                        // Ink means "dark" normally and "light" when inverted.
                        XCTAssertEqual(ink.top, code[x, row * 2 - quiet] != invert, "(\(column), \(row)) top, invert \(invert)")
                        XCTAssertEqual(ink.bottom, code[x, row * 2 + 1 - quiet] != invert, "(\(column), \(row)) bottom, invert \(invert)")
                    }
                }
            }
        }
    }
}
