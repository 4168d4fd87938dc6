import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One row of a camera-violation file, every cell checked (R10).
public struct ViolationRecord: Sendable, Equatable {
    /// The 1-based physical line of the file where the record starts.
    public var line: Int
    public var plate: Plate
    public var occurredAt: Date
    /// The code as digits, e.g. `1625`.
    public var code: String
    public var location: String?
    public var description: String?
    /// Money in integer fen; nil when the cell is empty.
    public var fineFen: Int?
    /// Licence points; nil when the cell is empty.
    public var points: Int?
    /// The record (decision) number; nil when empty.
    public var recordNo: String?

    public init(line: Int, plate: Plate, occurredAt: Date, code: String, location: String? = nil, description: String? = nil,
                fineFen: Int? = nil, points: Int? = nil, recordNo: String? = nil) {
        self.line = line
        self.plate = plate
        self.occurredAt = occurredAt
        self.code = code
        self.location = location
        self.description = description
        self.fineFen = fineFen
        self.points = points
        self.recordNo = recordNo
    }
}

/// Every line of a violation file that cannot be imported; the file is refused as a whole.
public struct ViolationFileErrors: Error, LocalizedError, Sendable {
    /// The errors, in file order, each `.invalid` with its line (at most `ViolationFile.listedErrors`).
    public var errors: [DeskError]
    /// How many errors there are beyond those listed.
    public var more: Int
    /// How many lines of the file have at least one error.
    public var lines: Int

    public init(errors: [DeskError], more: Int, lines: Int) {
        self.errors = errors
        self.more = more
        self.lines = lines
    }

    public var errorDescription: String? {
        var text = ["\(lines) line\(lines == 1 ? "" : "s") cannot be imported; nothing was imported:"]
        text += errors.map { "  " + ($0.errorDescription ?? "") }
        if more > 0 { text.append("  and \(more) more") }
        return text.joined(separator: "\n")
    }
}

/// Reads the camera-violation files people really have: exports of the traffic police web or of fleet tools,
/// saved by Excel or WPS as CSV (UTF-8, with or without a BOM, or GB18030/GBK), or tab-separated.
///
/// The file is read in chunks and each record is decoded on its own, so memory stays low for any number of rows.
/// Every error is a `DeskError.invalid` naming the field and the line.
public enum ViolationFile {
    /// The most errors `ViolationFileErrors` lists; the rest are counted in `more`.
    public static let listedErrors = 200
    /// `progress` is called after this many records (and once at the end).
    public static let progressInterval = 10_000

    /// How many bytes are read at a time; any size gives the same answer (the fuzz checks compare them).
    public static let defaultChunkSize = 256 * 1024
    /// How many bytes are looked at before deciding between UTF-8 and GB18030.
    static let sniffBytes = 64 * 1024
    /// A record longer than this is a quote that is never closed, or not text at all.
    static let maxRecordBytes = 64 * 1024

    /// Reads and checks the whole file; returns every record, or throws `ViolationFileErrors` listing every bad line
    /// (up to `listedErrors`, then "and N more"). A file that cannot be read at all throws `DeskError.invalid`.
    public static func read(url: URL, time: ShopTime, now: Date,
                            progress: ((_ records: Int, _ bytes: Int, _ totalBytes: Int) -> Void)? = nil) throws -> [ViolationRecord] {
        try read(url: url, time: time, now: now, chunkSize: defaultChunkSize, progress: progress)
    }

    /// The same from bytes in memory (for uploads from the web).
    public static func read(data: Data, time: ShopTime, now: Date) throws -> [ViolationRecord] {
        try read(data: data, time: time, now: now, chunkSize: defaultChunkSize)
    }

    static func read(url: URL, time: ShopTime, now: Date, chunkSize: Int, forceFoundationDecoder: Bool = false,
                     progress: ((_ records: Int, _ bytes: Int, _ totalBytes: Int) -> Void)? = nil) throws -> [ViolationRecord] {
        let source = try FileSource(url: url, chunkSize: chunkSize)
        var reader = Reader(source: source, time: time, now: now, forceFoundationDecoder: forceFoundationDecoder, progress: progress)
        return try reader.run()
    }

    public static func read(data: Data, time: ShopTime, now: Date, chunkSize: Int, forceFoundationDecoder: Bool = false,
                     progress: ((_ records: Int, _ bytes: Int, _ totalBytes: Int) -> Void)? = nil) throws -> [ViolationRecord] {
        let source = DataSource(data: data, chunkSize: chunkSize)
        var reader = Reader(source: source, time: time, now: now, forceFoundationDecoder: forceFoundationDecoder, progress: progress)
        return try reader.run()
    }
}

// MARK: - Header

extension ViolationFile {
    /// The columns the reader knows; all others are ignored.
    enum Column: String, CaseIterable, Sendable {
        case plate, time, code, location, description, fine, points, recordNo = "record-no"

        /// The spellings seen in real exports, already in the form `headerKey` makes.
        static let aliases: [String: Column] = {
            let table: [(Column, [String])] = [
                (.plate, ["车牌号", "车牌号码", "号牌号码", "号牌", "车牌", "plate", "plate number", "plate_no"]),
                (.time, ["违法时间", "违章时间", "时间", "发生时间", "time", "occurred at", "occurred_at", "datetime", "date time"]),
                (.code, ["违法代码", "违法行为代码", "违章代码", "代码", "code", "violation code"]),
                (.location, ["违法地点", "违章地点", "地点", "location", "place", "address"]),
                (.description, ["违法行为", "违法内容", "description"]),
                (.fine, ["罚款金额", "罚款", "罚金", "金额", "fine", "fine yuan", "amount"]),
                (.points, ["记分", "扣分", "违法记分", "分数", "points", "score"]),
                (.recordNo, ["决定书编号", "记录编号", "违法记录编号", "决定书号", "编号", "record no", "record number", "record_no", "recordNo"]),
            ]
            var aliases: [String: Column] = [:]
            for (column, names) in table {
                for name in names { aliases[ViolationFile.headerKey(name).key] = column }
            }
            return aliases
        }()

        static let required: [Column] = [.plate, .time, .code]
    }

    static let unitSuffixes: Set<String> = ["元", "人民币", "人民币元", "yuan", "rmb", "cny", "¥", "￥", "分"]
    static let openBrackets: Set<Unicode.Scalar> = ["(", "（", "[", "【", "［", "〔", "《", "<", "〈"]
    static let closeBrackets: Set<Unicode.Scalar> = [")", "）", "]", "】", "］", "〕", "》", ">", "〉"]
    static let ignoredInHeader: Set<Unicode.Scalar> = ["_", "-", "*", ":", "：", "\"", "'"]

    /// A header cell reduced for matching: lower case, no spaces, brackets or marks, without a unit suffix such as （元）.
    static func headerKey(_ raw: String) -> (key: String, unit: String?) {
        var scalars = Array(raw.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace })
        var unit: String?
        if let last = scalars.last, closeBrackets.contains(last),
           let open = scalars.lastIndex(where: { openBrackets.contains($0) }), open > 0 {
            var inner = String.UnicodeScalarView()
            inner.append(contentsOf: scalars[(open + 1)..<(scalars.count - 1)])
            let innerText = String(inner)
            if unitSuffixes.contains(innerText) {
                unit = innerText
                scalars.removeSubrange(open...)
            }
        }
        var key = String.UnicodeScalarView()
        key.append(contentsOf: scalars.filter { !openBrackets.contains($0) && !closeBrackets.contains($0) && !ignoredInHeader.contains($0) })
        return (String(key), unit)
    }

    /// Where each known column is, from the header's cells.
    struct Header {
        var width: Int
        var plate = 0, time = 0, code = 0
        var location: Int?, description: Int?, fine: Int?, points: Int?, recordNo: Int?

        init(cells: [String], line: Int) throws {
            var cells = cells
            while let last = cells.last, last.trimmingSpaces().isEmpty { cells.removeLast() }
            width = cells.count
            var index: [Column: Int] = [:]
            var duplicates: [String] = []
            for (position, cell) in cells.enumerated() {
                let (key, unit) = ViolationFile.headerKey(cell)
                guard let column = Column.aliases[key] else { continue }
                if column == .fine, unit == "分" {
                    throw DeskError.invalid(field: "header", message: "the column \"\(cell.trimmingSpaces())\" is in 分 (fen); the fine must be in yuan: name the column 罚款金额（元） and write yuan", line: line)
                }
                if let earlier = index[column] {
                    duplicates.append("\"\(cells[earlier].trimmingSpaces())\" (column \(earlier + 1)) and \"\(cell.trimmingSpaces())\" (column \(position + 1)) both give the \(column.rawValue)")
                } else {
                    index[column] = position
                }
            }
            if !duplicates.isEmpty {
                throw DeskError.invalid(field: "header", message: duplicates.joined(separator: "; ") + "; keep one column of each", line: line)
            }
            let missing = Column.required.filter { index[$0] == nil }
            if !missing.isEmpty {
                let found = cells.map { ViolationFile.shown($0.trimmingSpaces(), limit: 30) }.filter { !$0.isEmpty }
                var message = "the header has no column for \(missing.map(\.rawValue).joined(separator: ", ")) (found: \(found.isEmpty ? "nothing" : found.prefix(40).joined(separator: ", ")))"
                if missing.count == Column.required.count {
                    message += "; the first line must be the header row (delete any title rows above it), with columns such as 车牌号, 违法时间, 违法代码"
                } else {
                    let examples: [Column: String] = [.plate: "车牌号 or plate", .time: "违法时间 or time", .code: "违法代码 or code"]
                    message += "; name them \(missing.map { examples[$0]! }.joined(separator: "; "))"
                }
                throw DeskError.invalid(field: "header", message: message, line: line)
            }
            plate = index[.plate]!
            time = index[.time]!
            code = index[.code]!
            location = index[.location]
            description = index[.description]
            fine = index[.fine]
            points = index[.points]
            recordNo = index[.recordNo]
        }
    }

    /// Text for a message: control characters made visible, shortened to `limit` characters.
    static func shown(_ text: String, limit: Int) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { out.append("…"); break }
            let category = scalar.properties.generalCategory
            out.append(category == .control || category == .format || category == .unassigned || category == .privateUse ? "�" : scalar)
            count += 1
        }
        return String(out)
    }
}

// MARK: - Sources of bytes

extension ViolationFile {
    /// Where the bytes come from: a file read in chunks, or data in memory handed out in chunks.
    protocol ByteSource {
        var totalBytes: Int { get }
        /// Appends up to one chunk to `buffer`; false at the end of the input.
        mutating func read(into buffer: inout [UInt8]) throws -> Bool
    }

    final class FileSource: ByteSource {
        let handle: FileHandle
        let path: String
        let chunkSize: Int
        let totalBytes: Int

        init(url: URL, chunkSize: Int) throws {
            path = url.path
            self.chunkSize = max(1, chunkSize)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw DeskError.invalid(field: "file", message: "\(path) does not exist")
            }
            guard !isDirectory.boolValue else {
                throw DeskError.invalid(field: "file", message: "\(path) is a folder, not a CSV file")
            }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw DeskError.invalid(field: "file", message: "\(path) cannot be read: permission denied")
            }
            do {
                handle = try FileHandle(forReadingFrom: url)
            } catch {
                throw DeskError.invalid(field: "file", message: "\(path) cannot be opened: \(error.localizedDescription)")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
            totalBytes = size ?? 0
        }

        deinit { try? handle.close() }

        func read(into buffer: inout [UInt8]) throws -> Bool {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkSize)
            } catch {
                throw DeskError.invalid(field: "file", message: "\(path) cannot be read: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { return false }
            buffer.append(contentsOf: chunk)
            return true
        }
    }

    struct DataSource: ByteSource {
        let data: Data
        let chunkSize: Int
        var offset = 0
        var totalBytes: Int { data.count }

        init(data: Data, chunkSize: Int) {
            self.data = data
            self.chunkSize = max(1, chunkSize)
        }

        mutating func read(into buffer: inout [UInt8]) throws -> Bool {
            guard offset < data.count else { return false }
            let end = min(data.count, offset + chunkSize)
            buffer.append(contentsOf: data[(data.startIndex + offset)..<(data.startIndex + end)])
            offset = end
            return true
        }
    }
}

// MARK: - Text encodings

extension ViolationFile {
    enum Encoding { case utf8, gb18030 }

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
}

// MARK: - Cells

extension ViolationFile {
    static let quote = UInt8(ascii: "\"")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    /// A field of a decoded (UTF-8) record: for a quoted field, from after the opening quote to the end of the field.
    struct FieldSpan {
        var start: Int
        var end: Int
        var quoted: Bool
    }

    /// Splits a decoded record at separators outside quotes (`separator` nil: comma or tab).
    static func splitFields(_ bytes: UnsafeBufferPointer<UInt8>, separator: UInt8?, into fields: inout [FieldSpan]) {
        fields.removeAll(keepingCapacity: true)
        var fieldBegin = 0
        var quoted = false, inQuotes = false, atFieldStart = true, justClosed = false
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            if inQuotes {
                if byte == quote { inQuotes = false; justClosed = true }
                i += 1
                continue
            }
            if byte == quote {
                if justClosed {
                    inQuotes = true  // "" inside a quoted field
                    justClosed = false
                } else if atFieldStart {
                    inQuotes = true
                    quoted = true
                    atFieldStart = false
                    fieldBegin = i + 1
                }  // else a quote inside an unquoted field is an ordinary character
                i += 1
                continue
            }
            justClosed = false
            if byte == separator || (separator == nil && (byte == comma || byte == tab)) {
                fields.append(FieldSpan(start: fieldBegin, end: i, quoted: quoted))
                fieldBegin = i + 1
                quoted = false
                atFieldStart = true
            } else if byte != space && byte != cr {  // as in `nextRecord`, which must agree on what opens a quote
                atFieldStart = false
            }
            i += 1
        }
        fields.append(FieldSpan(start: fieldBegin, end: count, quoted: quoted))
    }

    /// The range of `bytes` without the white space people and spreadsheets leave around a value:
    /// ASCII spaces, tabs, CR, LF, the ideographic space U+3000 and the no-break space U+00A0.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        var lower = start, upper = end
        while lower < upper {
            let byte = bytes[lower]
            if byte == space || byte == tab || byte == cr || byte == lf { lower += 1; continue }
            if byte == 0xE3, upper - lower >= 3, bytes[lower + 1] == 0x80, bytes[lower + 2] == 0x80 { lower += 3; continue }
            if byte == 0xC2, upper - lower >= 2, bytes[lower + 1] == 0xA0 { lower += 2; continue }
            break
        }
        while upper > lower {
            let byte = bytes[upper - 1]
            if byte == space || byte == tab || byte == cr || byte == lf { upper -= 1; continue }
            if byte == 0x80, upper - lower >= 3, bytes[upper - 2] == 0x80, bytes[upper - 3] == 0xE3 { upper -= 3; continue }
            if byte == 0xA0, upper - lower >= 2, bytes[upper - 2] == 0xC2 { upper -= 2; continue }
            break
        }
        return lower..<upper
    }

    /// The cells of one decoded record, made into text only when asked.
    struct Cells {
        let bytes: UnsafeBufferPointer<UInt8>
        let fields: [FieldSpan]

        /// The bytes of an unquoted cell, trimmed; nil for a quoted one (which needs unescaping).
        func raw(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
            let field = fields[index]
            guard !field.quoted else { return nil }
            return UnsafeBufferPointer(rebasing: bytes[ViolationFile.trimmed(bytes, field.start, field.end)])
        }

        /// The cell's text, unquoted and trimmed.
        func text(_ index: Int) -> String {
            if let raw = raw(index) { return String(decoding: raw, as: UTF8.self) }
            let field = fields[index]
            var out: [UInt8] = []
            out.reserveCapacity(field.end - field.start)
            var inQuotes = true
            var i = field.start
            while i < field.end {
                let byte = bytes[i]
                if inQuotes, byte == ViolationFile.quote {
                    if i + 1 < field.end, bytes[i + 1] == ViolationFile.quote {
                        out.append(byte)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    out.append(byte)
                }
                i += 1
            }
            return out.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[ViolationFile.trimmed($0, 0, $0.count)]), as: UTF8.self) }
        }

        func isEmpty(_ index: Int) -> Bool {
            if let raw = raw(index) { return raw.isEmpty }
            return text(index).isEmpty
        }

        var isBlank: Bool { fields.indices.allSatisfy(isEmpty) }
    }
}

// MARK: - Values

extension ViolationFile {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// A violation code: 4 or 5 digits (spaces dropped, full-width digits accepted).
    static func code(_ cells: Cells, _ index: Int) throws -> String {
        if let raw = cells.raw(index), raw.count == 4 || raw.count == 5, raw.allSatisfy(isDigit) {
            return String(decoding: raw, as: UTF8.self)
        }
        let text = cells.text(index)
        guard !text.isEmpty else { throw DeskError.invalid(field: "code", message: "a violation code is required, e.g. 1625") }
        var digits = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace {
            switch scalar.value {
            case 0x30...0x39: digits.append(scalar)
            case 0xFF10...0xFF19: digits.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            default: throw DeskError.invalid(field: "code", message: "\"\(shown(text, limit: 30))\" is not a violation code: a code is 4 or 5 digits, e.g. 1625")
            }
        }
        guard (4...5).contains(digits.count) else {
            throw DeskError.invalid(field: "code", message: "\"\(shown(text, limit: 30))\" is not a violation code: a code is 4 or 5 digits, e.g. 1625")
        }
        return String(digits)
    }

    /// A fine in fen: `200`, `200.5`, `¥1,000.50`, `200元`; exactly, at most 2 decimals, 0 to 100,000 yuan (`Money.fen`).
    static func fineFen(_ cells: Cells, _ index: Int) throws -> Int? {
        if let raw = cells.raw(index) {
            if raw.isEmpty { return nil }
            // The common case, `200` or `200.00`, without making a String.
            var whole = 0, wholeDigits = 0, i = 0
            while i < raw.count, isDigit(raw[i]), wholeDigits < 9 {
                whole = whole * 10 + Int(raw[i] - 0x30)
                wholeDigits += 1
                i += 1
            }
            var fen = whole * 100
            var plain = wholeDigits > 0
            if plain, i < raw.count {
                if raw[i] == UInt8(ascii: "."), raw.count - i - 1 == 1 || raw.count - i - 1 == 2,
                   raw[(i + 1)...].allSatisfy(isDigit) {
                    fen += raw.count - i - 1 == 1 ? Int(raw[i + 1] - 0x30) * 10 : Int(raw[i + 1] - 0x30) * 10 + Int(raw[i + 2] - 0x30)
                } else {
                    plain = false
                }
            }
            if plain, fen <= 10_000_000 { return fen }
        }
        let text = cells.text(index)
        if text.isEmpty { return nil }
        return try Money.fen(text, field: "fine")
    }

    /// Licence points: 0, 1, 3, 6, 9 or 12; `3分` accepted (`Money.points`).
    static func points(_ cells: Cells, _ index: Int) throws -> Int? {
        if let raw = cells.raw(index) {
            if raw.isEmpty { return nil }
            if raw.count <= 2, raw.allSatisfy(isDigit) {
                let value = raw.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                if value == 0 || value == 1 || value == 3 || value == 6 || value == 9 || value == 12 { return value }
            }
        }
        let text = cells.text(index)
        if text.isEmpty { return nil }
        return try Money.points(text, field: "points")
    }

    /// Free text: trimmed, at most `maxLength` characters, no control characters (`Fields.optionalText`).
    /// A line break or tab inside a quoted cell (Alt+Enter in Excel) becomes one space first.
    static func optionalText(_ cells: Cells, _ index: Int, field: String, maxLength: Int) throws -> String? {
        var text = cells.text(index)
        if text.isEmpty { return nil }
        if cells.fields[index].quoted, text.utf8.contains(where: { $0 == lf || $0 == cr || $0 == tab }) {
            text = joinedLines(text)
        }
        // Letters, digits, CJK and their punctuation: what nearly every cell holds, checked without Unicode tables.
        var count = 0
        var plain = true
        for scalar in text.unicodeScalars {
            count += 1
            guard count <= maxLength else { plain = false; break }
            switch scalar.value {
            case 0x20...0x7E, 0x3000...0x303F, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF5E: break
            default: plain = false
            }
            if !plain { break }
        }
        // The only white space in those ranges is U+0020 and U+3000, which `Cells.text` trimmed from the ends.
        if plain, let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
           first != " ", first != "\u{3000}", last != " ", last != "\u{3000}" {
            return text
        }
        return try Fields.optionalText(text, field: field, maxLength: maxLength)
    }

    /// Runs of CR, LF and tab made one space.
    static func joinedLines(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var inBreak = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" || scalar == "\n" || scalar == "\t" {
                if !inBreak { out.append(" ") }
                inBreak = true
            } else {
                out.append(scalar)
                inBreak = false
            }
        }
        return String(out)
    }

    /// A record number that Excel shortened to a number such as `1.10105E+15` has lost its digits.
    static func looksShortenedByExcel(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, isDigit(bytes[0]),
              let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }),
              e + 2 < bytes.count, bytes[e + 1] == UInt8(ascii: "+") else { return false }
        let fraction = bytes[1..<e]
        let mantissaOK = fraction.isEmpty || (fraction.first == UInt8(ascii: ".") && fraction.dropFirst().allSatisfy(isDigit))
        return mantissaOK && bytes[(e + 2)...].allSatisfy(isDigit)
    }

    /// An Excel serial date-time (days since 1899-12-30, the fraction is the time of day) in local seconds since 1970,
    /// rounded to the second; nil when the cell is not a plain number with a fraction or above 20000.
    static func excelSerialLocalSeconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var days = 0, dayDigits = 0, i = 0
        while i < bytes.count, isDigit(bytes[i]) {
            guard dayDigits < 7 else { return nil }
            days = days * 10 + Int(bytes[i] - 0x30)
            dayDigits += 1
            i += 1
        }
        guard dayDigits > 0 else { return nil }
        var numerator = 0, denominator = 1, hasFraction = false
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "."), i + 1 < bytes.count else { return nil }
            hasFraction = true
            i += 1
            while i < bytes.count {
                guard isDigit(bytes[i]) else { return nil }
                if denominator < 1_000_000_000_000 {  // 12 digits are far finer than a second
                    numerator = numerator * 10 + Int(bytes[i] - 0x30)
                    denominator *= 10
                }
                i += 1
            }
        }
        guard hasFraction || days > 20_000 else { return nil }
        let seconds = (numerator * 86_400 * 2 + denominator) / (denominator * 2)
        return (days - 25_569) * 86_400 + seconds
    }
}

// MARK: - The reader

extension ViolationFile {
    /// One record found by the splitter: its first physical line and its bytes in the buffer.
    struct RecordSpan {
        var line: Int
        var range: Range<Int>
        var hasHighBytes: Bool
        var unclosedQuote: Bool
    }

    struct Reader<Source: ByteSource> {
        var source: Source
        let time: ShopTime
        let now: Date
        let earliest: Date
        let progress: ((Int, Int, Int) -> Void)?

        // The bytes read and not yet consumed; `start` is where the next record begins.
        var buffer: [UInt8] = []
        var start = 0
        var dropped = 0
        var atEnd = false
        var line = 1
        var newline = ViolationFile.lf
        var separator: UInt8?

        var encoding: Encoding?
        let decoder: GB18030Decoder
        var fields: [FieldSpan] = []

        var header: Header?
        var headerLine = 0
        var rows = 0
        var records: [ViolationRecord] = []
        var errors: [DeskError] = []
        var moreErrors = 0
        var badLines = 0

        init(source: Source, time: ShopTime, now: Date, forceFoundationDecoder: Bool, progress: ((Int, Int, Int) -> Void)?) {
            self.source = source
            self.time = time
            self.now = now
            self.earliest = time.start(of: CivilDate(year: 2000, month: 1, day: 1)!)
            self.progress = progress
            self.decoder = GB18030Decoder(forceFoundation: forceFoundationDecoder)
        }

        mutating func run() throws -> [ViolationRecord] {
            try sniff()
            while let record = try nextRecord() {
                try handle(record)
            }
            guard header != nil else {
                throw DeskError.invalid(field: "file", message: "the file is empty; it needs a header line (车牌号, 违法时间, 违法代码, ...) and a line for each violation")
            }
            guard rows > 0 else {
                throw DeskError.invalid(field: "file", message: "the file has a header but no violations", line: headerLine)
            }
            if !errors.isEmpty {
                throw ViolationFileErrors(errors: errors, more: moreErrors, lines: badLines)
            }
            progress?(rows, dropped + buffer.count, source.totalBytes)
            return records
        }

        /// Reads ahead until `count` bytes from `offset` are in the buffer, or the input ends.
        mutating func fill(from offset: Int, count: Int) throws {
            while !atEnd, buffer.count - offset < count {
                if try !source.read(into: &buffer) { atEnd = true }
            }
        }

        /// Looks at the start of the file: byte-order marks, workbooks, line ends, and UTF-8 or GB18030.
        mutating func sniff() throws {
            try fill(from: 0, count: ViolationFile.sniffBytes)
            func starts(with prefix: [UInt8]) -> Bool { buffer.count >= prefix.count && Array(buffer[..<prefix.count]) == prefix }
            if starts(with: [0xEF, 0xBB, 0xBF]) {
                encoding = .utf8
                start = 3
            } else if starts(with: [0xFF, 0xFE]) || starts(with: [0xFE, 0xFF]) {
                throw DeskError.invalid(field: "file", message: "the file is Unicode text (UTF-16), which DriverDesk does not read; in Excel or WPS save it as CSV UTF-8 or CSV", line: 1)
            } else if starts(with: [0x50, 0x4B, 0x03, 0x04]) || starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
                throw DeskError.invalid(field: "file", message: "this is an Excel workbook (.xlsx or .xls), not a CSV file; in Excel or WPS save it as CSV UTF-8 or CSV")
            }
            let window = buffer[start...]
            if !window.contains(ViolationFile.lf), window.contains(ViolationFile.cr) { newline = ViolationFile.cr }
            if encoding == nil, window.contains(where: { $0 >= 0x80 }) {
                decideEncoding(from: start)
            }
        }

        /// UTF-8 when the bytes from `offset` on (at least `sniffBytes` of them, or all) are UTF-8; else GB18030.
        mutating func decideEncoding(from offset: Int) {
            let partial = !atEnd
            let valid = buffer.withUnsafeBufferPointer { ViolationFile.isValidUTF8(UnsafeBufferPointer(rebasing: $0[offset...]), partialEndOK: partial) }
            encoding = valid ? .utf8 : .gb18030
        }

        /// The next record: bytes up to a line end outside quotes. Quotes, separators and line ends are ASCII,
        /// and no byte of a multi-byte GB18030 or UTF-8 character is below 0x30, so this works on the raw bytes.
        mutating func nextRecord() throws -> RecordSpan? {
            let recordLine = line
            func tooLong() -> DeskError {
                DeskError.invalid(field: "file", message: "the record that starts here runs on for more than \(ViolationFile.maxRecordBytes / 1024) KB: a quote (\") that is never closed, or not a CSV text file", line: recordLine)
            }
            var inQuotes = false, atFieldStart = true, justClosed = false, high = false
            var i = start
            var nulLine: Int?
            while true {
                if i == buffer.count {
                    if atEnd {
                        guard i > start else { return nil }
                        if i - start > ViolationFile.maxRecordBytes { throw tooLong() }
                        let span = RecordSpan(line: recordLine, range: start..<i, hasHighBytes: high, unclosedQuote: inQuotes)
                        start = i
                        return span
                    }
                    if i - start > ViolationFile.maxRecordBytes { throw tooLong() }
                    if start > 0 {
                        buffer.removeSubrange(0..<start)
                        dropped += start
                        i -= start
                        start = 0
                    }
                    if try !source.read(into: &buffer) { atEnd = true }
                    continue
                }
                let separator = self.separator, newline = self.newline
                var currentLine = line
                let end: Int? = buffer.withUnsafeBufferPointer { bytes in
                    var j = i
                    let count = bytes.count
                    while j < count {
                        let byte = bytes[j]
                        if byte >= 0x80 {
                            high = true
                            atFieldStart = false
                            justClosed = false
                        } else if inQuotes {
                            if byte == ViolationFile.quote {
                                inQuotes = false
                                justClosed = true
                            } else if byte == newline {
                                currentLine += 1
                            } else if byte == 0 {
                                nulLine = currentLine
                                return j
                            }
                        } else if byte == newline {
                            currentLine += 1
                            return j
                        } else if byte == ViolationFile.quote {
                            if justClosed || atFieldStart { inQuotes = true }
                            justClosed = false
                            atFieldStart = false
                        } else if byte == separator || (separator == nil && (byte == ViolationFile.comma || byte == ViolationFile.tab)) {
                            atFieldStart = true
                            justClosed = false
                        } else if byte == 0 {
                            nulLine = currentLine
                            return j
                        } else {
                            justClosed = false
                            if byte != ViolationFile.space && byte != ViolationFile.cr { atFieldStart = false }
                        }
                        j += 1
                    }
                    return nil
                }
                line = currentLine
                if let nulLine {
                    throw DeskError.invalid(field: "file", message: "this line holds a NUL byte: the file is binary, or UTF-16 text, not a CSV text file; in Excel or WPS save it as CSV UTF-8 or CSV", line: nulLine)
                }
                if let end {
                    if end - start > ViolationFile.maxRecordBytes { throw tooLong() }
                    let span = RecordSpan(line: recordLine, range: start..<end, hasHighBytes: high, unclosedQuote: false)
                    start = end + 1
                    return span
                }
                i = buffer.count
            }
        }

        mutating func fail(_ error: DeskError, line: Int) {
            if errors.count < ViolationFile.listedErrors {
                errors.append(error.at(line: line))
            } else {
                moreErrors += 1
            }
        }

        mutating func handle(_ span: RecordSpan) throws {
            if span.unclosedQuote {
                let error = DeskError.invalid(field: "file", message: "a quoted field that starts on this line is never closed (a \" without its partner)", line: span.line)
                if header == nil { throw error }
                fail(error, line: span.line)
                badLines += 1
                rows += 1
                return
            }
            if span.hasHighBytes && encoding == nil {
                try fill(from: span.range.lowerBound, count: ViolationFile.sniffBytes)
                decideEncoding(from: span.range.lowerBound)
            }
            let useDecoder = span.hasHighBytes && encoding == .gb18030
            let decodedOK: Bool = buffer.withUnsafeBufferPointer { all in
                let bytes = UnsafeBufferPointer(rebasing: all[span.range])
                if !span.hasHighBytes { return true }
                return useDecoder ? decoder.decode(bytes) : ViolationFile.isValidUTF8(bytes)
            }
            guard decodedOK else {
                let message = encoding == .gb18030
                    ? "this line is neither UTF-8 nor GB18030 (GBK) text; is it a CSV file? In Excel or WPS save it as CSV UTF-8 or CSV"
                    : "this line is not UTF-8 text like the lines before it; save the whole file again as CSV UTF-8"
                let error = DeskError.invalid(field: "file", message: message, line: span.line)
                if header == nil { throw error }
                fail(error, line: span.line)
                badLines += 1
                rows += 1
                return
            }
            if useDecoder {
                let decoded = decoder.output
                try decoded.withUnsafeBufferPointer { try handle(decoded: $0, span: span) }
            } else {
                let all = buffer
                try all.withUnsafeBufferPointer { try handle(decoded: UnsafeBufferPointer(rebasing: $0[span.range]), span: span) }
            }
        }

        mutating func handle(decoded bytes: UnsafeBufferPointer<UInt8>, span: RecordSpan) throws {
            guard let header else {
                try readHeader(bytes, span: span)
                return
            }
            ViolationFile.splitFields(bytes, separator: separator, into: &fields)
            let cells = Cells(bytes: bytes, fields: fields)
            if cells.isBlank { return }
            rows += 1
            let errorsBefore = errors.count + moreErrors
            if let record = convert(cells, header: header, line: span.line), errorsBefore == 0 {
                records.append(record)
            }
            if errors.count + moreErrors > errorsBefore {
                badLines += 1
                records.removeAll()  // nothing is imported when a line is bad; keep memory low
            }
            if rows % ViolationFile.progressInterval == 0 {
                progress?(rows, dropped + span.range.upperBound, source.totalBytes)
            }
        }

        mutating func readHeader(_ bytes: UnsafeBufferPointer<UInt8>, span: RecordSpan) throws {
            let tabs = bytes.reduce(0) { $0 + ($1 == ViolationFile.tab ? 1 : 0) }
            let commas = bytes.reduce(0) { $0 + ($1 == ViolationFile.comma ? 1 : 0) }
            let chosen = tabs > commas ? ViolationFile.tab : ViolationFile.comma
            ViolationFile.splitFields(bytes, separator: chosen, into: &fields)
            let cells = Cells(bytes: bytes, fields: fields)
            if cells.isBlank { return }
            if bytes.contains(where: { $0 < 0x20 && $0 != ViolationFile.tab && $0 != ViolationFile.cr && $0 != ViolationFile.lf }) {
                throw DeskError.invalid(field: "file", message: "the first line holds control characters: this is not a CSV text file; in Excel or WPS save it as CSV UTF-8 or CSV", line: span.line)
            }
            separator = chosen
            header = try Header(cells: fields.indices.map { cells.text($0) }, line: span.line)
            headerLine = span.line
        }

        /// One data row to a record; its errors go to `errors`.
        mutating func convert(_ cells: Cells, header: Header, line: Int) -> ViolationRecord? {
            var count = cells.fields.count
            while count > header.width, cells.isEmpty(count - 1) { count -= 1 }
            guard count == header.width else {
                fail(.invalid(field: "row", message: "has \(count) field\(count == 1 ? "" : "s"), the header has \(header.width)"), line: line)
                return nil
            }
            var ok = true
            func attempt<T>(_ body: () throws -> T) -> T? {
                do {
                    return try body()
                } catch let error as DeskError {
                    fail(error, line: line)
                } catch {
                    fail(.invalid(field: "row", message: error.localizedDescription), line: line)
                }
                ok = false
                return nil
            }
            let plate = attempt { try Plate(cells.text(header.plate), field: "plate") }
            let occurredAt = attempt { try occurred(cells, header.time) }
            let code = attempt { try ViolationFile.code(cells, header.code) }
            let location = header.location.flatMap { column in attempt { try ViolationFile.optionalText(cells, column, field: "location", maxLength: 200) } ?? nil }
            let description = header.description.flatMap { column in attempt { try ViolationFile.optionalText(cells, column, field: "description", maxLength: 200) } ?? nil }
            let fine = header.fine.flatMap { column in attempt { try ViolationFile.fineFen(cells, column) } ?? nil }
            let points = header.points.flatMap { column in attempt { try ViolationFile.points(cells, column) } ?? nil }
            let recordNo = header.recordNo.flatMap { column in
                attempt { () throws -> String? in
                    let text = try ViolationFile.optionalText(cells, column, field: "record-no", maxLength: 60)
                    if let text, ViolationFile.looksShortenedByExcel(text) {
                        throw DeskError.invalid(field: "record-no", message: "\"\(text)\" is a number that Excel shortened, and its digits are lost; format the column as text and export the file again")
                    }
                    return text
                } ?? nil
            }
            guard ok, let plate, let occurredAt, let code else { return nil }
            return ViolationRecord(line: line, plate: plate, occurredAt: occurredAt, code: code, location: location, description: description,
                                   fineFen: fine, points: points, recordNo: recordNo)
        }

        /// The time of a violation: any spelling `ShopTime.parse` reads, with a date, or an Excel serial date-time;
        /// not before 2000 and not more than a day ahead of the clock.
        func occurred(_ cells: Cells, _ index: Int) throws -> Date {
            let date: Date
            let serial: Int? = if let raw = cells.raw(index) {
                ViolationFile.excelSerialLocalSeconds(raw)
            } else {
                Array(cells.text(index).utf8).withUnsafeBufferPointer(ViolationFile.excelSerialLocalSeconds)
            }
            if let serial {
                date = time.date(localSeconds: serial)
            } else {
                var text = cells.text(index)
                if text.utf8.contains(0xE3), text.unicodeScalars.contains("\u{3000}") {
                    text = text.replacingAll("\u{3000}", with: " ")  // typed with a Chinese input method: 2026-11-26　14:05
                }
                date = try time.parse(text, field: "time", now: now)
                let head = text.utf8.prefix(4)
                guard head.count == 4, head.allSatisfy(ViolationFile.isDigit) else {
                    throw DeskError.invalid(field: "time", message: "\"\(ViolationFile.shown(text, limit: 40))\" has no date; write it as 2026-11-26 14:05")
                }
            }
            guard date >= earliest else {
                throw DeskError.invalid(field: "time", message: "\(time.format(date)) is before 2000; write it as 2026-11-26 14:05")
            }
            guard date.timeIntervalSince(now) <= 86_400 else {
                throw DeskError.invalid(field: "time", message: "\(time.format(date)) is in the future (it is now \(time.format(now)))")
            }
            return date
        }
    }
}
