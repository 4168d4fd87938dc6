import DriverDeskCore

/// DriverDesk's one CSV tokenizer (RFC 4180 quoting as Excel and WPS write it, comma or tab separated, LF, CRLF or
/// CR line ends), used by the camera-file reader and by `CSVReader`: `RecordSplitter` cuts the bytes into records,
/// `FieldSpan.split` a record into fields, and `Cells` makes a field into text.
enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let comma = UInt8(ascii: ",")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
}

/// One record found by the splitter: its first physical line and its bytes in the buffer.
struct RecordSpan {
    var line: Int
    var range: Range<Int>
    var hasHighBytes: Bool
    var unclosedQuote: Bool
}

/// Cuts the bytes of a source into records, reading chunk by chunk and keeping only the bytes not yet consumed.
struct RecordSplitter<Source: ByteSource> {
    /// A record longer than this is a quote that is never closed, or not text at all.
    static var maxRecordBytes: Int { 64 * 1024 }

    var source: Source
    // The bytes read and not yet consumed; `start` is where the next record begins.
    var buffer: [UInt8] = []
    var start = 0
    /// How many bytes were dropped from the front of `buffer`: `dropped + i` is offset `i`'s place in the input.
    var dropped = 0
    var atEnd = false
    /// The physical line `start` is on.
    var line = 1
    var newline = ASCII.lf
    /// nil: a comma or a tab (until the header decides).
    var separator: UInt8?

    init(source: Source) {
        self.source = source
    }

    /// Reads ahead until `count` bytes from `offset` are in the buffer, or the input ends.
    mutating func fill(from offset: Int, count: Int) throws {
        while !atEnd, buffer.count - offset < count {
            if try !source.read(into: &buffer) { atEnd = true }
        }
    }

    /// Skips a UTF-8 byte-order mark at the start of the input (call after `fill`); true when there was one.
    mutating func skipByteOrderMark() -> Bool {
        guard start == 0, buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF else { return false }
        start = 3
        return true
    }

    /// Lines end with CR alone (old Mac files) when the bytes read so far hold a CR and no LF.
    mutating func chooseLineEnd() {
        let window = buffer[start...]
        if !window.contains(ASCII.lf), window.contains(ASCII.cr) { newline = ASCII.cr }
    }

    /// The next record: bytes up to a line end outside quotes. Quotes, separators and line ends are ASCII,
    /// and no byte of a multi-byte GB18030 or UTF-8 character is below 0x30, so this works on the raw bytes.
    mutating func nextRecord() throws -> RecordSpan? {
        let recordLine = line
        func tooLong() -> DeskError {
            DeskError.invalid(field: "file", reason: Message("input.file.recordTooLong", ["kilobytes": .number(Self.maxRecordBytes / 1024)]), line: recordLine)
        }
        var inQuotes = false, atFieldStart = true, justClosed = false, high = false
        var i = start
        var nulLine: Int?
        while true {
            if i == buffer.count {
                if atEnd {
                    guard i > start else { return nil }
                    if i - start > Self.maxRecordBytes { throw tooLong() }
                    let span = RecordSpan(line: recordLine, range: start..<i, hasHighBytes: high, unclosedQuote: inQuotes)
                    start = i
                    return span
                }
                if i - start > Self.maxRecordBytes { throw tooLong() }
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
                        if byte == ASCII.quote {
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
                    } else if byte == ASCII.quote {
                        if justClosed || atFieldStart { inQuotes = true }
                        justClosed = false
                        atFieldStart = false
                    } else if byte == separator || (separator == nil && (byte == ASCII.comma || byte == ASCII.tab)) {
                        atFieldStart = true
                        justClosed = false
                    } else if byte == 0 {
                        nulLine = currentLine
                        return j
                    } else {
                        justClosed = false
                        if byte != ASCII.space && byte != ASCII.cr { atFieldStart = false }
                    }
                    j += 1
                }
                return nil
            }
            line = currentLine
            if let nulLine {
                throw DeskError.invalid(field: "file", reason: Message("input.file.nul"), line: nulLine)
            }
            if let end {
                if end - start > Self.maxRecordBytes { throw tooLong() }
                let span = RecordSpan(line: recordLine, range: start..<end, hasHighBytes: high, unclosedQuote: false)
                start = end + 1
                return span
            }
            i = buffer.count
        }
    }
}

/// A field of a decoded (UTF-8) record: for a quoted field, from after the opening quote to the end of the field.
struct FieldSpan {
    var start: Int
    var end: Int
    var quoted: Bool

    /// Splits a decoded record at separators outside quotes (`separator` nil: comma or tab).
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, separator: UInt8?, into fields: inout [FieldSpan]) {
        fields.removeAll(keepingCapacity: true)
        var fieldBegin = 0
        var quoted = false, inQuotes = false, atFieldStart = true, justClosed = false
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            if inQuotes {
                if byte == ASCII.quote { inQuotes = false; justClosed = true }
                i += 1
                continue
            }
            if byte == ASCII.quote {
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
            if byte == separator || (separator == nil && (byte == ASCII.comma || byte == ASCII.tab)) {
                fields.append(FieldSpan(start: fieldBegin, end: i, quoted: quoted))
                fieldBegin = i + 1
                quoted = false
                atFieldStart = true
            } else if byte != ASCII.space && byte != ASCII.cr {  // as in `RecordSplitter.nextRecord`, which must agree on what opens a quote
                atFieldStart = false
            }
            i += 1
        }
        fields.append(FieldSpan(start: fieldBegin, end: count, quoted: quoted))
    }
}
