import DriverDeskCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The two encodings a camera file is read in: UTF-8 (with or without a BOM) or GB18030 (GBK).
enum TextEncoding {
    case utf8, gb18030

    /// Refuses what the first bytes show is not CSV text DriverDesk reads: UTF-16 (a byte-order mark FF FE or FE FF,
    /// Excel's "Unicode text") and Excel workbooks (.xlsx, .xls). A UTF-8 byte-order mark is the tokenizer's business
    /// (`RecordSplitter.skipByteOrderMark`).
    static func refuseUnreadable(_ head: [UInt8]) throws {
        func starts(with prefix: [UInt8]) -> Bool { head.count >= prefix.count && Array(head[..<prefix.count]) == prefix }
        if starts(with: [0xFF, 0xFE]) || starts(with: [0xFE, 0xFF]) {
            throw DeskError.invalid(field: "file", reason: Message("input.file.utf16"), line: 1)
        } else if starts(with: [0x50, 0x4B, 0x03, 0x04]) || starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw DeskError.invalid(field: "file", reason: Message("input.file.workbook"))
        }
    }

    /// Whether `bytes` are UTF-8; with `partialEndOK` a sequence cut off by the end counts as valid (more bytes follow).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, partialEndOK: Bool = false) -> Bool {
        let count = bytes.count
        var i = 0
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            var need = 0
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: return false
            }
            for k in 1...need {
                guard i + k < count else { return partialEndOK }
                let byte = bytes[i + k]
                if k == 1 {
                    guard byte >= low, byte <= high else { return false }
                } else {
                    guard byte >= 0x80, byte <= 0xBF else { return false }
                }
            }
            i += need + 1
        }
        return true
    }
}

/// GB18030 (a superset of GBK and GB2312) to UTF-8: glibc's iconv where there is one (several times faster
/// than Foundation's converter on Linux), else Foundation.
final class GB18030Decoder {
    private(set) var output: [UInt8] = []
    #if canImport(Glibc)
    private var converter: iconv_t?
    #endif
    static let foundationEncoding = String.Encoding(rawValue: 0x8000_0632)  // kCFStringEncodingGB_18030_2000

    init(forceFoundation: Bool = false) {
        #if canImport(Glibc)
        if !forceFoundation, let cd = iconv_open("UTF-8", "GB18030"), Int(bitPattern: cd) != -1 {
            converter = cd
        }
        #endif
    }

    deinit {
        #if canImport(Glibc)
        if let converter { iconv_close(converter) }
        #endif
    }

    /// Decodes into `output`; false when the bytes are not GB18030.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        #if canImport(Glibc)
        if let converter { return decode(bytes, with: converter) }
        #endif
        guard let text = String(bytes: bytes, encoding: GB18030Decoder.foundationEncoding) else { return false }
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: text.utf8)
        return true
    }

    #if canImport(Glibc)
    private func decode(_ bytes: UnsafeBufferPointer<UInt8>, with converter: iconv_t) -> Bool {
        // A GB18030 character of 1, 2 or 4 bytes is at most 1, 3 or 4 bytes of UTF-8.
        let capacity = bytes.count * 2 + 16
        if output.count < capacity { output = [UInt8](repeating: 0, count: capacity) }
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            output.removeAll(keepingCapacity: true)
            return true
        }
        var inLeft = bytes.count
        var outLeft = output.count
        var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base).assumingMemoryBound(to: CChar.self)
        let produced: Int? = output.withUnsafeMutableBytes { out in
            var outPointer: UnsafeMutablePointer<CChar>? = out.baseAddress!.assumingMemoryBound(to: CChar.self)
            _ = iconv(converter, nil, nil, nil, nil)  // a fresh state for every record
            let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
            guard result != -1, inLeft == 0 else { return nil }
            return out.count - outLeft
        }
        guard let produced else {
            output.removeAll(keepingCapacity: true)
            return false
        }
        output.removeSubrange(produced...)
        return true
    }
    #endif
}
