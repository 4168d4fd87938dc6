import Foundation
import QRCode
import XCTest

/// Encoder behaviour that does not need external tools: sizing, limits and error messages.
final class EncodingTests: XCTestCase {
    func testZbarimgIsInstalled() {
        // Surfaces the missing-tool problem as its own obvious failure line.
        XCTAssertNoThrow(try ExternalTools.requireZbarimg(), "zbarimg missing: install zbar-tools (make test does this)")
    }

    func testSizeMatchesVersion() throws {
        for (name, text) in Payloads.all {
            let code = try QRCode(text: text)
            XCTAssertEqual(code.size, 17 + 4 * code.version, name)
            XCTAssert((1...40).contains(code.version), name)
        }
    }

    func testFinderPatternIsWhereTheSpecPutsIt() throws {
        // The 7x7 finder in the top-left corner: dark ring, light ring, dark 3x3 centre.
        let code = try QRCode(text: Payloads.ascii)
        for y in 0..<7 {
            for x in 0..<7 {
                let ring = max(abs(x - 3), abs(y - 3))
                XCTAssertEqual(code[x, y], ring != 2, "finder module (\(x), \(y))")
            }
        }
        XCTAssertFalse(code.isDark(x: -1, y: 0), "outside the symbol reads as light")
        XCTAssertFalse(code.isDark(x: code.size, y: code.size))
    }

    func testEqualityFollowsContent() throws {
        XCTAssertEqual(try QRCode(text: Payloads.invite), try QRCode(text: Payloads.invite))
        XCTAssertNotEqual(try QRCode(text: Payloads.invite), try QRCode(text: Payloads.url))
        XCTAssertNotEqual(try QRCode(text: Payloads.invite, correction: .low), try QRCode(text: Payloads.invite, correction: .high))
    }

    func testHigherCorrectionNeedsBiggerSymbol() throws {
        let low = try QRCode(text: Payloads.long, correction: .low)
        let high = try QRCode(text: Payloads.long, correction: .high)
        XCTAssertGreaterThan(high.size, low.size)
    }

    func testCapacityLimitIsExact() throws {
        for correction in QRCode.Correction.allCases {
            let limit = correction.byteCapacity
            let fits = try QRCode(text: String(repeating: "a", count: limit), correction: correction)
            XCTAssertEqual(fits.version, 40, "\(correction) at capacity should need version 40")
            XCTAssertThrowsError(try QRCode(text: String(repeating: "a", count: limit + 1), correction: correction)) { error in
                XCTAssertEqual(error as? QRCodeError, .textTooLong(byteCount: limit + 1, limit: limit, correction: correction))
            }
        }
    }

    func testTooLongChineseTextThrowsWithClearMessage() {
        // 1,000 CJK characters are 3,000 UTF-8 bytes: over even the low-correction limit.
        let text = String(repeating: "王", count: 1000)
        XCTAssertThrowsError(try QRCode(text: text)) { error in
            guard case .textTooLong(let bytes, let limit, .medium)? = error as? QRCodeError else {
                return XCTFail("expected textTooLong, got \(error)")
            }
            XCTAssertEqual(bytes, 3000)
            XCTAssertEqual(limit, 2331)
            let message = error.localizedDescription
            XCTAssert(message.contains("too long"), message)
            XCTAssert(message.contains("3000"), message)
            XCTAssert(message.contains("2331"), message)
        }
    }

    func testEmptyTextThrows() {
        XCTAssertThrowsError(try QRCode(text: "")) { error in
            XCTAssertEqual(error as? QRCodeError, .emptyText)
            XCTAssertFalse(error.localizedDescription.isEmpty)
        }
    }

    func testConcurrentEncodingMatchesSerial() throws {
        // The web server renders invites from many tasks at once; libqrencode must not share state.
        let texts = (0..<64).map(Payloads.invite(number:))
        let expected = try texts.map { try QRCode(text: $0) }
        let mismatches = LockedCount()
        DispatchQueue.concurrentPerform(iterations: texts.count) { index in
            if (try? QRCode(text: texts[index])) != expected[index] { mismatches.increment() }
        }
        XCTAssertEqual(mismatches.value, 0)
    }
}
