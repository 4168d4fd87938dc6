import DriverDeskCore
import Foundation

/// Reads a CSV text in memory with the camera files' tokenizer (`RecordSplitter`, `FieldSpan`, `Cells`): the reference
/// codes (`data/violation-codes.csv`) and the demo workshop's tables. Comma-separated, RFC 4180 quoting, LF, CRLF or CR
/// line ends, a UTF-8 BOM; each field unquoted and trimmed; blank lines and rows of empty cells skipped.
public struct CSVReader: Sendable {
    /// One record with the line it starts on (1-based), for error messages that name the line.
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    let text: String

    public init(text: String) {
        self.text = text
    }

    /// Every record. Throws `.invalid` naming the line for a quote that is never closed, a NUL byte or a record
    /// of more than 64 KB.
    public func records() throws -> [Record] {
        let data = Data(text.utf8)
        var splitter = RecordSplitter(source: DataSource(data: data, chunkSize: data.count))
        splitter.separator = ASCII.comma
        try splitter.fill(from: 0, count: data.count)
        _ = splitter.skipByteOrderMark()
        splitter.chooseLineEnd()
        var records: [Record] = []
        var fields: [FieldSpan] = []
        while let span = try splitter.nextRecord() {
            if span.unclosedQuote {
                throw DeskError.invalid(field: "csv", reason: Message("input.csv.unclosed"), line: span.line)
            }
            let cells: [String]? = splitter.buffer.withUnsafeBufferPointer { all in
                let bytes = UnsafeBufferPointer(rebasing: all[span.range])
                FieldSpan.split(bytes, separator: ASCII.comma, into: &fields)
                let cells = Cells(bytes: bytes, fields: fields)
                return cells.isBlank ? nil : fields.indices.map { cells.text($0) }
            }
            if let cells { records.append(Record(line: span.line, fields: cells)) }
        }
        return records
    }
}
