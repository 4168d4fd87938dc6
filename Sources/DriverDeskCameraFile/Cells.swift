/// The cells of one decoded record, made into text only when asked.
struct Cells {
    let bytes: UnsafeBufferPointer<UInt8>
    let fields: [FieldSpan]

    /// The bytes of an unquoted cell, trimmed; nil for a quoted one (which needs unescaping).
    func raw(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
        let field = fields[index]
        guard !field.quoted else { return nil }
        return UnsafeBufferPointer(rebasing: bytes[Cells.trimmed(bytes, field.start, field.end)])
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
            if inQuotes, byte == ASCII.quote {
                if i + 1 < field.end, bytes[i + 1] == ASCII.quote {
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
        return out.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[Cells.trimmed($0, 0, $0.count)]), as: UTF8.self) }
    }

    func isEmpty(_ index: Int) -> Bool {
        if let raw = raw(index) { return raw.isEmpty }
        return text(index).isEmpty
    }

    var isBlank: Bool { fields.indices.allSatisfy(isEmpty) }

    /// The range of `bytes` without the white space people and spreadsheets leave around a value:
    /// ASCII spaces, tabs, CR, LF, the ideographic space U+3000 and the no-break space U+00A0.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        let space = ASCII.space, tab = ASCII.tab, cr = ASCII.cr, lf = ASCII.lf
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
}
