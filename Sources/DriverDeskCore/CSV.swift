/// Reads CSV as people's spreadsheets write it (RFC 4180 quoting, CRLF or LF, a UTF-8 BOM).
public struct CSVReader: Sendable {
    /// One record with the line it starts on (1-based), for error messages that name the line.
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    public let text: String

    public init(text: String) {
        self.text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// Every record; blank lines are skipped. Throws `.invalid` for an unterminated quote.
    public func records() throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var fieldWasQuoted = false
        let bytes = Array(text.utf8)
        var index = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\r"):
                    break
                case UInt8(ascii: "\n"):
                    endRecord()
                    line += 1
                    recordLine = line
                case UInt8(ascii: "\"") where field.isEmpty && !fieldWasQuoted:
                    inQuotes = true
                    fieldWasQuoted = true
                default:
                    field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes {
            throw DeskError.invalid(field: "csv", message: "a quoted field is never closed", line: recordLine)
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
