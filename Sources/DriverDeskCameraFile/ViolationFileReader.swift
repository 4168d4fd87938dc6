import DriverDeskCore
import Foundation

extension ViolationFile {
    /// Reads a camera file from `source`, record by record: decodes each record (UTF-8 or GB18030), maps the header,
    /// checks the cells of every row and collects the errors; nothing is returned when a line is bad.
    struct Reader<Source: ByteSource> {
        var splitter: RecordSplitter<Source>
        let time: ShopTime
        let now: Date
        let earliest: Date
        let progress: ((Int, Int, Int) -> Void)?

        var encoding: TextEncoding?
        let decoder: GB18030Decoder
        var fields: [FieldSpan] = []

        var header: Header?
        var headerLine = 0
        var rows = 0
        var records: [ViolationRecord] = []
        var errors = ErrorList()

        init(source: Source, time: ShopTime, now: Date, forceFoundationDecoder: Bool, progress: ((Int, Int, Int) -> Void)?) {
            self.splitter = RecordSplitter(source: source)
            self.time = time
            self.now = now
            self.earliest = time.start(of: CivilDate(year: 2000, month: 1, day: 1)!)
            self.progress = progress
            self.decoder = GB18030Decoder(forceFoundation: forceFoundationDecoder)
        }

        mutating func run() throws -> [ViolationRecord] {
            try sniff()
            while let record = try splitter.nextRecord() {
                try handle(record)
            }
            guard header != nil else {
                throw DeskError.invalid(field: "file", reason: Message("input.file.empty"))
            }
            guard rows > 0 else {
                throw DeskError.invalid(field: "file", reason: Message("input.file.headerOnly"), line: headerLine)
            }
            if let refusal = errors.refusal {
                throw refusal
            }
            progress?(rows, splitter.dropped + splitter.buffer.count, splitter.source.totalBytes)
            return records
        }

        /// Looks at the start of the file: byte-order marks, workbooks, line ends, and UTF-8 or GB18030.
        mutating func sniff() throws {
            try splitter.fill(from: 0, count: ViolationFile.sniffBytes)
            if splitter.skipByteOrderMark() {
                encoding = .utf8
            } else {
                try TextEncoding.refuseUnreadable(splitter.buffer)
            }
            splitter.chooseLineEnd()
            if encoding == nil, splitter.buffer[splitter.start...].contains(where: { $0 >= 0x80 }) {
                decideEncoding(from: splitter.start)
            }
        }

        /// UTF-8 when the bytes from `offset` on (at least `sniffBytes` of them, or all) are UTF-8; else GB18030.
        mutating func decideEncoding(from offset: Int) {
            let partial = !splitter.atEnd
            let valid = splitter.buffer.withUnsafeBufferPointer { TextEncoding.isValidUTF8(UnsafeBufferPointer(rebasing: $0[offset...]), partialEndOK: partial) }
            encoding = valid ? .utf8 : .gb18030
        }

        /// A line that cannot be read: before the header it stops the reading, after it it is listed.
        mutating func refuse(_ span: RecordSpan, _ error: DeskError) throws {
            if header == nil { throw error }
            errors.add(error, line: span.line)
            errors.badLines += 1
            rows += 1
        }

        mutating func handle(_ span: RecordSpan) throws {
            if span.unclosedQuote {
                try refuse(span, DeskError.invalid(field: "file", reason: Message("input.file.unclosedQuote"), line: span.line))
                return
            }
            if span.hasHighBytes && encoding == nil {
                try splitter.fill(from: span.range.lowerBound, count: ViolationFile.sniffBytes)
                decideEncoding(from: span.range.lowerBound)
            }
            let useDecoder = span.hasHighBytes && encoding == .gb18030
            let decodedOK: Bool = splitter.buffer.withUnsafeBufferPointer { all in
                let bytes = UnsafeBufferPointer(rebasing: all[span.range])
                if !span.hasHighBytes { return true }
                return useDecoder ? decoder.decode(bytes) : TextEncoding.isValidUTF8(bytes)
            }
            guard decodedOK else {
                let reason = encoding == .gb18030 ? Message("input.file.notText") : Message("input.file.notUTF8")
                try refuse(span, DeskError.invalid(field: "file", reason: reason, line: span.line))
                return
            }
            if useDecoder {
                let decoded = decoder.output
                try decoded.withUnsafeBufferPointer { try handle(decoded: $0, span: span) }
            } else {
                let all = splitter.buffer
                try all.withUnsafeBufferPointer { try handle(decoded: UnsafeBufferPointer(rebasing: $0[span.range]), span: span) }
            }
        }

        mutating func handle(decoded bytes: UnsafeBufferPointer<UInt8>, span: RecordSpan) throws {
            guard let header else {
                try readHeader(bytes, span: span)
                return
            }
            FieldSpan.split(bytes, separator: splitter.separator, into: &fields)
            let cells = Cells(bytes: bytes, fields: fields)
            if cells.isBlank { return }
            rows += 1
            let errorsBefore = errors.count
            if let record = convert(cells, header: header, line: span.line), errorsBefore == 0 {
                records.append(record)
            }
            if errors.count > errorsBefore {
                errors.badLines += 1
                records.removeAll()  // nothing is imported when a line is bad; keep memory low
            }
            if rows % ViolationFile.progressInterval == 0 {
                progress?(rows, splitter.dropped + span.range.upperBound, splitter.source.totalBytes)
            }
        }

        mutating func readHeader(_ bytes: UnsafeBufferPointer<UInt8>, span: RecordSpan) throws {
            let tabs = bytes.reduce(0) { $0 + ($1 == ASCII.tab ? 1 : 0) }
            let commas = bytes.reduce(0) { $0 + ($1 == ASCII.comma ? 1 : 0) }
            let chosen = tabs > commas ? ASCII.tab : ASCII.comma
            FieldSpan.split(bytes, separator: chosen, into: &fields)
            let cells = Cells(bytes: bytes, fields: fields)
            if cells.isBlank { return }
            if bytes.contains(where: { $0 < 0x20 && $0 != ASCII.tab && $0 != ASCII.cr && $0 != ASCII.lf }) {
                throw DeskError.invalid(field: "file", reason: Message("input.file.controlCharacters"), line: span.line)
            }
            splitter.separator = chosen
            header = try Header(cells: fields.indices.map { cells.text($0) }, line: span.line)
            headerLine = span.line
        }

        /// One data row to a record; its errors go to `errors`.
        mutating func convert(_ cells: Cells, header: Header, line: Int) -> ViolationRecord? {
            var count = cells.fields.count
            while count > header.width, cells.isEmpty(count - 1) { count -= 1 }
            guard count == header.width else {
                errors.add(.invalid(field: "row", reason: Message("input.row.width", ["count": .number(count), "width": .number(header.width)])), line: line)
                return nil
            }
            var ok = true
            func attempt<T>(_ body: () throws -> T) -> T? {
                do {
                    return try body()
                } catch let error as DeskError {
                    errors.add(error, line: line)
                } catch {
                    errors.add(.invalid(field: "row", reason: Message("input.row.unreadable", ["detail": .text(error.localizedDescription)])), line: line)
                }
                ok = false
                return nil
            }
            let plate = attempt { try Plate(cells.text(header.plate), field: "plate") }
            let occurredAt = attempt { try ViolationFile.occurred(cells, header.time, time: time, now: now, earliest: earliest) }
            let code = attempt { try ViolationFile.code(cells, header.code) }
            let location = header.location.flatMap { column in attempt { try ViolationFile.optionalText(cells, column, field: "location", maxLength: 200) } ?? nil }
            let description = header.description.flatMap { column in attempt { try ViolationFile.optionalText(cells, column, field: "description", maxLength: 200) } ?? nil }
            let fine = header.fine.flatMap { column in attempt { try ViolationFile.fineFen(cells, column) } ?? nil }
            let points = header.points.flatMap { column in attempt { try ViolationFile.points(cells, column) } ?? nil }
            let recordNo = header.recordNo.flatMap { column in
                attempt { () throws -> String? in
                    let text = try ViolationFile.optionalText(cells, column, field: "record-no", maxLength: 60)
                    if let text, ViolationFile.looksShortenedByExcel(text) {
                        throw DeskError.invalid(field: "record-no", reason: Message("input.recordNo.shortened", ["raw": .text(text)]))
                    }
                    return text
                } ?? nil
            }
            guard ok, let plate, let occurredAt, let code else { return nil }
            return ViolationRecord(line: line, plate: plate, occurredAt: occurredAt, code: code, location: location, description: description,
                                   fineFen: fine, points: points, recordNo: recordNo)
        }
    }
}
