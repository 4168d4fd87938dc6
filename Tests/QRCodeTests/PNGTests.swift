import Foundation
import QRCode
import XCTest

/// PNG container checks (signature, IHDR) and the data-URI wrapper.
final class PNGTests: XCTestCase {
    func testSignatureAndHeader() throws {
        let code = try QRCode(text: Payloads.invite)
        for (scale, quiet) in [(8, 4), (3, 0), (1, 2)] {
            let png = try code.png(scale: scale, quietZone: quiet)
            let expectedSide = (code.size + 2 * quiet) * scale
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            XCTAssertEqual(Array(png[12..<16]), Array("IHDR".utf8))
            XCTAssertEqual(bigEndian(png, at: 8), 13, "IHDR length")
            XCTAssertEqual(bigEndian(png, at: 16), expectedSide, "width")
            XCTAssertEqual(bigEndian(png, at: 20), expectedSide, "height")
            XCTAssertEqual(png[24], 1, "bit depth: one bit a pixel")
            XCTAssertEqual(png[25], 0, "colour type: grayscale")
            XCTAssertEqual(Array(png.suffix(8).prefix(4)), Array("IEND".utf8))
        }
    }

    func testDataURIWrapsThePNG() throws {
        let code = try QRCode(text: Payloads.url)
        let uri = try code.dataURI()
        let prefix = "data:image/png;base64,"
        XCTAssert(uri.hasPrefix(prefix))
        let payload = try XCTUnwrap(Data(base64Encoded: String(uri.dropFirst(prefix.count))))
        XCTAssertEqual([UInt8](payload), try code.png())
    }

    func testAbsurdScaleThrowsInsteadOfAllocating() throws {
        let code = try QRCode(text: Payloads.ascii)
        for (scale, quiet) in [(10_000, 4), (Int.max, 4), (8, Int.max / 2)] {
            XCTAssertThrowsError(try code.png(scale: scale, quietZone: quiet)) { error in
                guard case .imageTooLarge? = error as? QRCodeError else { return XCTFail("got \(error)") }
            }
        }
    }

    private func bigEndian(_ bytes: [UInt8], at offset: Int) -> Int {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
}
