import CQRencode
import Foundation

/// A QR code symbol held as plain Swift values so it can cross actors and be rendered many ways.
public struct QRCode: Sendable, Equatable {
    /// Modules per side, excluding any quiet zone (21 for version 1, up to 177 for version 40).
    public let size: Int

    /// QR version (1...40) chosen by the encoder; kept because it explains `size`.
    public let version: Int

    /// Error-correction level the symbol was encoded with.
    public let correction: Correction

    // One byte per module (1 = dark), row-major; bytes rather than Bool so renderers can
    // index without bridging and so equality is a cheap memcmp.
    let modules: [UInt8]

    /// Encodes the text's UTF-8 bytes in 8-bit mode so any script (e.g. Chinese) round-trips exactly; text that is not
    /// plain ASCII carries an ECI 26 (UTF-8) header first, so decoders read UTF-8 instead of guessing a character set.
    public init(text: String, correction: Correction = .medium) throws {
        // 8-bit mode on raw UTF-8 avoids libqrencode's Kanji/ASCII heuristics, which would
        // otherwise re-encode non-ASCII text and break decoding by phone scanners.
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw QRCodeError.emptyText }
        guard bytes.count <= correction.byteCapacity else {
            throw QRCodeError.textTooLong(byteCount: bytes.count, limit: correction.byteCapacity, correction: correction)
        }

        // Without ECI a decoder guesses: ZBar reads the UTF-8 of 京HDG3897 as GBK, 鈭斫DG3897. ASCII needs no header (it
        // reads the same in every character set) and stays the symbol it always was.
        let needsECI = bytes.contains { $0 >= 0x80 }
        let symbol = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<CQRencode.QRcode>? in
            // Version 0 lets libqrencode pick the smallest symbol that fits.
            guard needsECI else { return QRcode_encodeData(Int32(buffer.count), buffer.baseAddress, 0, correction.level) }
            guard let input = QRinput_new2(0, correction.level) else { return nil }
            defer { QRinput_free(input) }
            guard QRinput_appendECIheader(input, 26) == 0,
                  QRinput_append(input, QR_MODE_8, Int32(buffer.count), buffer.baseAddress) == 0 else { return nil }
            return QRcode_encodeInput(input)
        }
        guard let symbol else {
            let code = errno
            if code == ERANGE {
                throw QRCodeError.textTooLong(byteCount: bytes.count, limit: correction.byteCapacity, correction: correction)
            }
            throw QRCodeError.encoderFailed(String(cString: strerror(code)))
        }
        // Copy out and free immediately so no C memory outlives this initialiser.
        defer { QRcode_free(symbol) }

        let width = Int(symbol.pointee.width)
        let count = width * width
        let raw = UnsafeBufferPointer(start: symbol.pointee.data, count: count)
        // libqrencode packs flags in the upper bits; only bit 0 means "dark".
        self.modules = raw.map { $0 & 1 }
        self.size = width
        self.version = Int(symbol.pointee.version)
        self.correction = correction
    }

    /// Whether the module at column `x`, row `y` is dark; out-of-range reads as light (quiet zone).
    public func isDark(x: Int, y: Int) -> Bool {
        // Treating outside as light lets renderers walk the quiet zone without bounds checks.
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x] != 0
    }

    /// Subscript form of `isDark(x:y:)` for compact rendering code.
    public subscript(x: Int, y: Int) -> Bool {
        isDark(x: x, y: y)
    }
}
