import Foundation
import QRCode
import Testing

/// Text that is not ASCII carries an ECI 26 (UTF-8) header, so a decoder reads it instead of guessing a character set.
@Suite("QR codes: ECI UTF-8 for text that is not ASCII")
struct ECITests {
    /// Short Chinese texts are where guessing fails: without ECI zbar reads 京HDG3897 as GBK, 鈭斫DG3897.
    static let texts = ["京HDG3897", "京A12345", "粤BD12345", "沪A12345D", "京A1234挂", "京A1234学", "BJ-HDG3897 京HDG3897",
                        "王磊", "Café Zürich", Payloads.invite, Payloads.long]

    func decoded(_ code: QRCode, svg: Bool) throws -> String {
        let png = ExternalTools.temporaryURL("eci.png")
        defer { try? FileManager.default.removeItem(at: png) }
        if svg {
            let file = ExternalTools.temporaryURL("eci.svg")
            defer { try? FileManager.default.removeItem(at: file) }
            try code.svg().write(to: file, atomically: true, encoding: .utf8)
            let rasteriser = try ExternalTools.requireSVGRasteriser()
            let result = try ExternalTools.run(rasteriser.path, rasteriser.arguments(file.path, png.path))
            try #require(result.status == 0, "rasterising the SVG failed: \(result.stderr)")
        } else {
            try Data(try code.png()).write(to: png)
        }
        return try ExternalTools.decodeText(imageAt: png)
    }

    @Test("zbarimg, reading the character set as a scanner app does, gets the exact text back from the PNG and the SVG",
          arguments: texts)
    func exact(_ text: String) throws {
        let code = try QRCode(text: text, correction: .quartile)
        for svg in [false, true] {
            let read = try decoded(code, svg: svg)
            #expect(Array(read.utf8) == Array(text.utf8), "\(svg ? "SVG" : "PNG") of \(text) reads as \(read)")
        }
    }

    @Test("ASCII text gets no header: its symbol is the one it always was, and reads back exactly")
    func ascii() throws {
        let code = try QRCode(text: "BJ-HDG3897", correction: .quartile)
        #expect(try decoded(code, svg: false) == "BJ-HDG3897")
    }
}
