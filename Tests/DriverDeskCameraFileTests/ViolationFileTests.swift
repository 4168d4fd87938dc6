@testable import DriverDeskCameraFile
import DriverDeskCore
import Foundation
import Testing

/// The shop's clock and zone for every story: 2026-11-26 16:00 in Shanghai.
private let shop = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
private let now = Date(timeIntervalSince1970: 1_795_680_000)
private let gb18030 = String.Encoding(rawValue: 0x8000_0632)

private func at(_ text: String) -> Date {
    try! shop.parse(text, field: "test", now: now)
}

private func read(_ text: String, chunkSize: Int = ViolationFile.defaultChunkSize) throws -> [ViolationRecord] {
    try ViolationFile.read(data: Data(text.utf8), time: shop, now: now, chunkSize: chunkSize)
}

private func read(bytes: Data, chunkSize: Int = ViolationFile.defaultChunkSize, foundation: Bool = false) throws -> [ViolationRecord] {
    try ViolationFile.read(data: bytes, time: shop, now: now, chunkSize: chunkSize, forceFoundationDecoder: foundation)
}

private func gb(_ text: String) -> Data {
    text.data(using: gb18030)!
}

/// A scratch folder that is removed at the end of the test.
private struct Scratch {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("violation-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func write(_ data: Data, as name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

private extension DeskError {
    /// The reason's code, as the catalogue finds its words.
    var code: String {
        if case .invalid(_, let reason, _) = self { return reason.code }
        return errorDescription ?? ""
    }

    var reason: Message? {
        if case .invalid(_, let reason, _) = self { return reason }
        return nil
    }

    var line: Int? {
        if case .invalid(_, _, let line) = self { return line }
        return nil
    }
}

/// The row errors a file is refused with, as `line: field` pairs.
private func refusals(_ body: () throws -> [ViolationRecord]) throws -> [String] {
    let failure = try #require(throws: ViolationFileErrors.self) { _ = try body() }
    return failure.errors.map { "\($0.line ?? 0): \($0.field ?? "")" }
}

@Suite("Violation files: encodings and line ends")
struct ViolationFileEncodingTests {
    @Test("a fleet tool's UTF-8 export with a BOM, CRLF line ends and English headers is read in full")
    func utf8WithBOM() throws {
        let text = "\u{FEFF}Plate Number,Occurred At,Violation Code,Location,Fine (yuan),Points,Record No\r\n"
            + "京A12345,2026-11-20 14:05,1625,北京市朝阳区建国路,200,3,110105202611200001\r\n"
            + "沪B5C8D9,2026/11/21 9:05:30,1039,\"浦东新区世纪大道, 近张杨路\",¥150.50,0,\r\n"
        let records = try ViolationFile.read(data: Data(text.utf8), time: shop, now: now)
        #expect(records == [
            ViolationRecord(line: 2, plate: try Plate("京A12345"), occurredAt: at("2026-11-20 14:05"), code: "1625", location: "北京市朝阳区建国路",
                            fineFen: 20_000, points: 3, recordNo: "110105202611200001"),
            ViolationRecord(line: 3, plate: try Plate("沪B5C8D9"), occurredAt: at("2026-11-21 09:05:30"), code: "1039", location: "浦东新区世纪大道, 近张杨路",
                            fineFen: 15_050, points: 0, recordNo: nil),
        ])
    }

    @Test("a traffic-police export saved by WPS as GBK/GB18030 without a BOM: 10,000 rows, every plate, time and fine right")
    func gb18030TenThousandRows() throws {
        let provinces = Array("京沪粤川浙苏鲁豫津渝")
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
        var text = "序号,车牌号码,违法时间,违法代码,违法行为,违法地点,罚款金额（元）,记分,决定书编号,处理状态\r\n"
        var expected: [(plate: String, time: String, fen: Int)] = []
        for i in 0..<10_000 {
            let plate = "\(provinces[i % 10])\(letters[i % 24])\(String(100_000 + i * 7 % 100_000).dropFirst())"
            let time = "2026-\(1 + i % 10)-\(1 + i % 28) \(i % 24):\(String(100 + i % 60).dropFirst())"
            let fen = (i % 5) * 5_000 + (i % 2) * 50
            let yuan = "\(fen / 100).\(fen % 100 < 10 ? "0" : "")\(fen % 100)"
            text += "\(i + 1),\(plate),\(time),1625,驾驶机动车违反道路交通信号灯通行的,\(["朝阳区建国路", "海淀区中关村大街", "东城区长安街"][i % 3])\(i)号,\(yuan),6,GB\(i),未处理\r\n"
            expected.append((plate, time, fen))
        }
        let bytes = gb(text)
        #expect(!bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(String(data: bytes, encoding: .utf8) == nil, "the test file must really be GB18030")
        let records = try read(bytes: bytes)
        #expect(records.count == 10_000)
        for (record, want) in zip(records, expected) {
            #expect(record.plate.text == want.plate)
            #expect(record.occurredAt == at(want.time))
            #expect(record.fineFen == want.fen)
        }
        #expect(records[0].line == 2 && records[9_999].line == 10_001)
        #expect(records[42].description == "驾驶机动车违反道路交通信号灯通行的")
        #expect(records[42].location == "朝阳区建国路42号")
        #expect(records[42].points == 6 && records[42].recordNo == "GB42" && records[42].code == "1625")
        // Foundation's converter (used where there is no iconv) reads the same file the same way.
        #expect(try read(bytes: bytes, foundation: true) == records)
    }

    @Test("a GB18030 file whose first Chinese character comes after 64 KB of ASCII is still read as GB18030")
    func lateChineseDecidesEncodingThen() throws {
        let blank = String(repeating: ",,,\r\n", count: 20_000)  // Excel leaves rows of empty cells
        let bytes = gb("plate,time,code,location\r\n" + blank + "粤B12345,2026-11-01 08:00,1625,天河路\r\n")
        #expect(String(data: bytes, encoding: .utf8) == nil)
        // With 4 KB chunks the first 64 KB looked at are all ASCII, so the Chinese row itself decides.
        for chunk in [4_096, ViolationFile.defaultChunkSize] {
            let records = try read(bytes: bytes, chunkSize: chunk)
            #expect(records.map(\.plate.text) == ["粤B12345"])
            #expect(records.map(\.location) == ["天河路"])
            #expect(records.map(\.line) == [20_002])
        }
    }

    @Test("old Mac line ends (CR only) and LF only are read like CRLF")
    func lineEnds() throws {
        let rows = ["plate,time,code", "京A12345,2026-11-20 14:05,1625", "京A12346,2026-11-20 14:06,1625"]
        let crlf = try read(rows.joined(separator: "\r\n"))
        #expect(try read(rows.joined(separator: "\n")) == crlf)
        #expect(try read(rows.joined(separator: "\r")) == crlf)
        #expect(crlf.map(\.line) == [2, 3])
    }

    @Test("UTF-16 (Excel's 'Unicode text') is refused, asking for CSV UTF-8 or CSV", arguments: [String.Encoding.utf16LittleEndian, .utf16BigEndian])
    func utf16Refused(_ encoding: String.Encoding) throws {
        let body = "车牌号,违法时间,违法代码\r\n京A12345,2026-11-20 14:05,1625\r\n".data(using: encoding)!
        let bom: [UInt8] = encoding == .utf16LittleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        let error = try #require(throws: DeskError.self) { try read(bytes: Data(bom) + body) }
        #expect(error.field == "file")
        #expect(error.code == "input.file.utf16")
        // Without its BOM, UTF-16 is full of NUL bytes: refused as well, naming the line.
        let bare = try #require(throws: DeskError.self) { try read(bytes: body) }
        #expect(bare.code == "input.file.nul" && bare.line == 1)
    }

    @Test("binary garbage is refused with a clear message, never a crash")
    func binaryGarbage() throws {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func randomBytes(_ count: Int, allowNUL: Bool) -> Data {
            Data((0..<count).map { _ in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let byte = UInt8(truncatingIfNeeded: seed >> 56)
                return allowNUL || byte != 0 ? byte : 1
            })
        }
        for round in 0..<20 {
            let garbage = randomBytes(50_000, allowNUL: round % 2 == 0)
            do {
                _ = try read(bytes: garbage)
                Issue.record("garbage was accepted")
            } catch let error as DeskError {
                #expect(error.field == "file" || error.field == "header")
                #expect(error.line != nil)
                #expect(error.code.hasPrefix("input."))
            } catch let errors as ViolationFileErrors {
                #expect(!errors.errors.isEmpty)
            }
        }
        let nul = try #require(throws: DeskError.self) { try read("plate,time,code\n京A12345,2026-11-20 14:05,1625\nab\u{0}cd\n") }
        #expect(nul.line == 3 && nul.code == "input.file.nul")
        let workbook = try #require(throws: DeskError.self) { try read(bytes: Data([0x50, 0x4B, 0x03, 0x04]) + randomBytes(1_000, allowNUL: true)) }
        #expect(workbook.code == "input.file.workbook")
    }

    @Test("a line whose bytes are neither UTF-8 nor GB18030 is named; the other lines are still checked")
    func undecodableLine() throws {
        var bytes = gb("车牌号,违法时间,违法代码,违法地点\r\n京A12345,2026-11-20 14:05,1625,朝阳区\r\n")
        bytes += Data([0xFF, 0xFF, 0x2C, 0x80, 0x0D, 0x0A])
        bytes += gb("京A1234,2026-11-20 14:05,1625,朝阳区\r\n")
        #expect(try refusals { try read(bytes: bytes) } == ["3: file", "4: plate"])
    }
}

@Suite("Violation files: records and quoting")
struct ViolationFileStructureTests {
    @Test("quoted fields may hold commas, doubled quotes and line breaks; lines are counted in the file")
    func quotedFields() throws {
        let text = "plate,time,code,location,description\n"
            + "京A12345,2026-11-20 14:05,1625,\"北京市朝阳区,建国路\",\"闯红灯 \"\"电子眼\"\"\"\n"
            + "京A12346,2026-11-20 14:06,1625,\"第一行\n第二行\",\n"
            + "京A12347,\"2026-11-20 14:07\",\" 1625 \",东三环,\n"
        let records = try read(text)
        #expect(records.map(\.location) == ["北京市朝阳区,建国路", "第一行 第二行", "东三环"])  // a line break in a cell becomes a space
        #expect(records.map(\.description) == ["闯红灯 \"电子眼\"", nil, nil])
        #expect(records.map(\.line) == [2, 3, 5])
        #expect(records.map(\.code) == ["1625", "1625", "1625"])
    }

    @Test("a quote that is never closed names the line it opens on")
    func unclosedQuote() throws {
        let text = "plate,time,code,location\n京A12345,2026-11-20 14:05,1625,ok\n京A12346,2026-11-20 14:06,1625,\"never closed\n"
        #expect(try refusals { try read(text) } == ["3: file"])
        #expect(try refusals { try read("plate,time,code\n\"京A12345,2026-11-20 14:05,1625\n") } == ["2: file"])
    }

    @Test("a quote never closed in a long file stops the reading after 64 KB, naming the line it opens on")
    func runawayQuote() throws {
        var text = "plate,time,code,location\n京A12345,2026-11-20 14:05,1625,\"oops\n"
        for _ in 0..<5_000 { text += "京A12346,2026-11-20 14:06,1625,fine\n" }
        for chunk in [4_096, ViolationFile.defaultChunkSize] {
            let error = try #require(throws: DeskError.self) { try read(text, chunkSize: chunk) }
            #expect(error.line == 2 && error.code == "input.file.recordTooLong")
        }
    }

    @Test("a row with more or fewer fields than the header is named; a trailing empty field is tolerated")
    func raggedRows() throws {
        let text = "plate,time,code,fine\n"
            + "京A12345,2026-11-20 14:05,1625,200\n"
            + "京A12346,2026-11-20 14:06,1625\n"
            + "京A12347,2026-11-20 14:07,1625,200,\n"
            + "京A12348,2026-11-20 14:08,1625,200,extra\n"
        let failure = try #require(throws: ViolationFileErrors.self) { try read(text) }
        #expect(failure.errors == [
            .invalid(field: "row", reason: Message("input.row.width", ["count": .number(3), "width": .number(4)]), line: 3),
            .invalid(field: "row", reason: Message("input.row.width", ["count": .number(5), "width": .number(4)]), line: 5),
        ])
        #expect(try read("plate,time,code,fine,\n京A12345,2026-11-20 14:05,1625,200,\n京A12346,2026-11-20 14:06,1625,200\n").count == 2)
    }

    @Test("blank lines and Excel's rows of empty cells are skipped; spaces and ideographic spaces around cells are trimmed")
    func blanksAndSpaces() throws {
        let text = "\n\n plate , time ,code\n\n,,\n  京A12345 ,\u{3000}2026-11-20 14:05\u{3000}, 1625\u{3000}\n\r\n"
        let records = try read(text)
        #expect(records.map(\.plate.text) == ["京A12345"])
        #expect(records.map(\.line) == [6])
    }

    @Test("a tab-separated export is read like a CSV")
    func tabSeparated() throws {
        let tsv = "车牌号\t违法时间\t违法代码\t违法地点\t罚款\n京A12345\t2026-11-20 14:05\t1625\t建国路, 东三环\t1,000.50\n"
        let records = try read(tsv)
        #expect(records.map(\.location) == ["建国路, 东三环"])
        #expect(records.map(\.fineFen) == [100_050])
    }

    @Test("a big file read in 1-, 2-, 3- and 7-byte chunks gives exactly what one big chunk gives, in UTF-8 and GB18030")
    func chunkBoundaries() throws {
        var text = "序号,车牌号码,违法时间,违法代码,违法地点,违法行为,罚款金额（元）,记分,决定书编号\r\n"
        for i in 0..<300 {
            // 𠮷 is outside the BMP: 4 bytes in GB18030 and in UTF-8.
            let location = i % 7 == 0 ? "\"朝阳区，建国路\r\n（近\"\"国贸\"\"桥）\"" : i % 7 == 1 ? "𠮷野家\(i)号" : "海淀区中关村大街\(i)号"
            text += "\(i),粤B\(String(10_000 + i)),2026年11月\(1 + i % 20)日 \(i % 24):05,1625,\(location),闯红灯,\(i).5,3,No.\(i)\r\n"
            if i % 50 == 0 { text += "\r\n" }
        }
        let big = try read(text)
        #expect(big.count == 300)
        #expect(big[7].location == "朝阳区，建国路 （近\"国贸\"桥）")
        #expect(big[8].location == "𠮷野家8号")
        for chunk in [1, 2, 3, 7, 4_096] {
            #expect(try read(text, chunkSize: chunk) == big, "UTF-8 in chunks of \(chunk)")
            #expect(try read(bytes: gb(text), chunkSize: chunk) == big, "GB18030 in chunks of \(chunk)")
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let url = try scratch.write(gb(text), as: "gb.csv")
        #expect(try ViolationFile.read(url: url, time: shop, now: now, chunkSize: 7) == big)
        #expect(try ViolationFile.read(url: url, time: shop, now: now) == big)
        // An upload may arrive as a slice of a larger buffer, whose indices do not start at 0.
        let slice = (Data("junk".utf8) + gb(text)).dropFirst(4)
        #expect(try ViolationFile.read(data: slice, time: shop, now: now) == big)
    }

    @Test("progress is reported about every 10,000 records and once at the end, with the bytes read")
    func progress() throws {
        var text = "plate,time,code\n"
        for i in 0..<25_000 { text += "京A\(String(10_000 + i % 90_000)),2026-11-20 14:05,1625\n" }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let url = try scratch.write(Data(text.utf8), as: "many.csv")
        var calls: [(Int, Int, Int)] = []
        let records = try ViolationFile.read(url: url, time: shop, now: now) { calls.append(($0, $1, $2)) }
        #expect(records.count == 25_000)
        #expect(calls.map(\.0) == [10_000, 20_000, 25_000])
        #expect(calls.allSatisfy { $0.2 == text.utf8.count })
        #expect(calls.last!.1 == text.utf8.count)
        #expect(calls[0].1 < calls[1].1)
    }
}

@Suite("Violation files: the header")
struct ViolationFileHeaderTests {
    @Test("a real export's extra columns (序号, 处理状态, 缴款状态, ...) are ignored")
    func unknownColumnsIgnored() throws {
        let text = "序号,处理状态,号牌号码,发生时间,违法行为代码,缴款状态,违法记分,罚金,违法记录编号\n1,未处理,京A12345,2026-11-20 14:05,1625,未缴款,3分,200元,R1\n"
        let records = try read(text)
        #expect(records == [ViolationRecord(line: 2, plate: try Plate("京A12345"), occurredAt: at("2026-11-20 14:05"), code: "1625",
                                            fineFen: 20_000, points: 3, recordNo: "R1")])
    }

    @Test("header names match ignoring case, spaces, brackets and a unit suffix", arguments: [
        "PLATE,Time,CODE,Fine(Yuan)", "plate_no,date time,violation code,fine yuan", "【车牌】,违章时间,违章代码,罚款金额(元)",
        "车牌号码 ,违法时间 ,违法代码 ,罚款 （元）", "Plate Number,occurred_at,Code,Amount［元］", "号牌,时间,代码,金额（人民币元）",
    ])
    func headerSpellings(_ header: String) throws {
        let records = try read(header + "\n京A12345,2026-11-20 14:05,1625,200\n")
        #expect(records.map(\.fineFen) == [20_000])
    }

    @Test("a header without plate, time or code is refused naming the missing columns and listing those found")
    func missingColumn() throws {
        let error = try #require(throws: DeskError.self) { try read("序号,车牌号,违法地点,罚款\n1,京A12345,朝阳区,200\n") }
        #expect(error.field == "header" && error.line == 1)
        #expect(error.reason == Message("input.header.missing", ["missing": .names(["违法时间 / time", "违法代码 / code"]), "found": .names(["序号", "车牌号", "违法地点", "罚款"])]))
        let title = try #require(throws: DeskError.self) { try read("违法记录查询结果\n车牌号,违法时间,违法代码\n") }
        #expect(title.code == "input.header.noHeader")
    }

    @Test("two columns that mean the same thing are refused, naming both")
    func duplicateColumns() throws {
        let error = try #require(throws: DeskError.self) { try read("车牌号,违法时间,时间,违法代码\n京A12345,2026-11-20 14:05,14:05,1625\n") }
        #expect(error.field == "header")
        #expect(error.reason == Message("input.header.duplicate", ["first": .text("违法时间"), "firstColumn": .number(2), "second": .text("时间"), "secondColumn": .number(3), "column": .text("违法时间 / time")]))
    }

    @Test("a fine column in 分 (fen) is refused rather than read as yuan")
    func fineInFen() throws {
        let error = try #require(throws: DeskError.self) { try read("车牌号,违法时间,违法代码,罚款(分)\n京A12345,2026-11-20 14:05,1625,20000\n") }
        #expect(error.reason == Message("input.header.fen", ["column": .text("罚款(分)")]))
        #expect(try read("车牌号,违法时间,违法代码,记分（分）\n京A12345,2026-11-20 14:05,1625,6\n").map(\.points) == [6])
    }

    @Test("an empty file, a file of blank lines and a header without rows are refused")
    func nothingToImport() throws {
        for empty in ["", "\u{FEFF}", "\r\n\r\n  \n"] {
            let error = try #require(throws: DeskError.self) { try read(empty) }
            #expect(error.field == "file" && error.code == "input.file.empty")
        }
        let headerOnly = try #require(throws: DeskError.self) { try read("\n车牌号,违法时间,违法代码\r\n\r\n") }
        #expect(headerOnly.code == "input.file.headerOnly" && headerOnly.line == 2)
    }

    // A file the user may not read: ImportEndToEndTests.notPermitted, which runs the command as nobody when the tests
    // run as root (root reads any file, so it cannot be checked in this process).
    @Test("a file that cannot be read is refused naming the file: missing, or a folder")
    func unreadable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = try #require(throws: DeskError.self) {
            try ViolationFile.read(url: scratch.folder.appendingPathComponent("nope.csv"), time: shop, now: now)
        }
        #expect(missing.field == "file" && missing.code == "input.file.missing")
        let folder = try #require(throws: DeskError.self) { try ViolationFile.read(url: scratch.folder, time: shop, now: now) }
        #expect(folder.field == "file" && folder.code == "input.file.folder")
    }
}

@Suite("Violation files: checking the cells")
struct ViolationFileCellTests {
    private func one(_ header: String, _ row: String) throws -> ViolationRecord {
        try #require(try read("\(header)\n\(row)\n").first)
    }

    @Test("three bad rows among good ones: the refusal lists exactly those lines with their fields, and nothing is returned")
    func threeBadRows() throws {
        let text = "车牌号,违法时间,违法代码,罚款金额\n"
            + "京A12345,2026-11-20 14:05,1625,200\n"
            + "京A1234,2026-11-20 14:05,1625,200\n"  // line 3: a plate one character short
            + "京A12346,2026-11-20 14:05,1625,200\n"
            + "京A12347,2026-02-30 14:05,1625,200\n"  // line 5: no such day
            + "京A12348,2026-11-20 14:05,1625,200\n"
            + "京A12349,2026-11-20 14:05,1625,二百\n"  // line 7: not an amount
        let failure = try #require(throws: ViolationFileErrors.self) { try read(text) }
        #expect(failure.errors.map { "\($0.line ?? 0): \($0.field ?? "")" } == ["3: plate", "5: time", "7: fine"])
        #expect(failure.lines == 3 && failure.more == 0)
        let report = failure.localizedDescription
        #expect(report.hasPrefix("3 lines cannot be imported\n  line 3: plate: "))
        #expect(report.contains("\n  line 5: time: ") && report.contains("\n  line 7: fine: "))
    }

    @Test("every bad cell of a line is named, and past 200 errors the rest are counted")
    func manyErrors() throws {
        #expect(try refusals { try read("plate,time,code,points\nX,yesterday,16A5,2\n") } == ["2: plate", "2: time", "2: code", "2: points"])
        var text = "plate,time,code\n"
        for _ in 0..<250 { text += "京A1234,2026-11-20 14:05,1625\n" }
        let failure = try #require(throws: ViolationFileErrors.self) { try read(text) }
        #expect(failure.errors.count == 200 && failure.more == 50 && failure.lines == 250)
        #expect(failure.localizedDescription.hasSuffix("\n  +50"))
        #expect(failure.localizedDescription.hasPrefix("250 lines cannot be imported"))
    }

    @Test("times: every spelling ShopTime reads, in the shop's zone; no date, before 2000 or more than a day ahead is refused")
    func times() throws {
        let header = "plate,time,code"
        #expect(try one(header, "京A12345,2026年11月26日 14:05,1625").occurredAt == at("2026-11-26 14:05"))
        #expect(try one(header, "京A12345,2026-11-26T06:05:00Z,1625").occurredAt == at("2026-11-26 14:05"))
        #expect(try one(header, "京A12345,2026-11-26\u{3000}14:05,1625").occurredAt == at("2026-11-26 14:05"))
        #expect(try one(header, "京A12345,2026-11-27 15:00,1625").occurredAt == at("2026-11-27 15:00"))  // camera clocks run ahead
        #expect(try refusals { try read("\(header)\n京A12345,2026-11-27 16:01,1625\n") } == ["2: time"])
        #expect(try refusals { try read("\(header)\n京A12345,1999-12-31 23:59,1625\n") } == ["2: time"])
        #expect(try refusals { try read("\(header)\n京A12345,14:05,1625\n") } == ["2: time"])
        #expect(try refusals { try read("\(header)\n京A12345,,1625\n") } == ["2: time"])
        let future = try #require(throws: ViolationFileErrors.self) { try read("\(header)\n京A12345,2027-01-01 00:00,1625\n") }
        #expect(future.errors.first?.code == "input.time.future")
    }

    @Test("Excel serial date-times are days since 1899-12-30 in the shop's zone, rounded to the second")
    func excelSerials() throws {
        let header = "plate,time,code"
        // 46352 is 2026-11-26; .5833333 of a day is 13:59:59.99…, which rounds to 14:00.
        #expect(try one(header, "京A12345,46352.5833333,1625").occurredAt == at("2026-11-26 14:00"))
        #expect(try one(header, "京A12345,46352.25,1625").occurredAt == at("2026-11-26 06:00"))
        #expect(try one(header, "京A12345,46351,1625").occurredAt == at("2026-11-25 00:00"))
        #expect(try one(header, "京A12345,45658.000011574,1625").occurredAt == at("2025-01-01 00:00:01"))
        #expect(try one(header, "京A12345,\"46352.25\",1625").occurredAt == at("2026-11-26 06:00"))
        #expect(try refusals { try read("\(header)\n京A12345,36000.5,1625\n") } == ["2: time"])  // 1998
        #expect(try refusals { try read("\(header)\n京A12345,2026,1625\n") } == ["2: time"])  // a year, not a serial
    }

    @Test("money is read exactly into fen: at most 2 decimals, from 0 to 100,000 yuan", arguments: [
        ("200", 20_000), ("200.00", 20_000), ("200.5", 20_050), ("¥200", 20_000), ("￥200", 20_000), ("200元", 20_000),
        ("\"1,000.50\"", 100_050), (" 200 ", 20_000), ("0", 0), ("0.01", 1), ("100000", 10_000_000), ("0200.10", 20_010),
        ("\"¥ 1,234.56 元\"", 123_456), ("4.35", 435), ("1.15", 115),
    ])
    func money(_ cell: String, _ fen: Int) throws {
        #expect(try one("plate,time,code,fine", "京A12345,2026-11-20 14:05,1625,\(cell)").fineFen == fen)
    }

    @Test("bad amounts are refused naming the fine", arguments: ["200.005", "-5", "100000.01", "二百", "200.", ".5", "1e3", "12345678901", "200 300"])
    func badMoney(_ cell: String) throws {
        #expect(try refusals { try read("plate,time,code,fine\n京A12345,2026-11-20 14:05,1625,\(cell)\n") } == ["2: fine"])
    }

    @Test("the fast reading of amounts and points agrees with Money.fen and Money.points")
    func fastPathsAgree() throws {
        let fines = ["0", "1", "99", "200", "200.0", "200.00", "200.5", "200.55", "200.555", "000", "0.5", "123456789", "1234567890",
                     "99999.99", "100000", "100000.00", "100000.01", "999999999.99", "1.", "1..2", "1.2.3", "5-"]
        for cell in fines {
            let mine = Result { try self.cell(cell) { try ViolationFile.fineFen($0, 0) } }
            let theirs = Result { try Money.fen(cell, field: "fine") as Int? }
            #expect(String(describing: mine) == String(describing: theirs), "fine \(cell)")
        }
        for cell in ["0", "1", "2", "3", "03", "6", "9", "12", "13", "24", "3分", "-3", "x"] {
            let mine = Result { try self.cell(cell) { try ViolationFile.points($0, 0) } }
            let theirs = Result { try Money.points(cell, field: "points") as Int? }
            #expect(String(describing: mine) == String(describing: theirs), "points \(cell)")
        }
        for text in ["朝阳区建国路", "a b", "京A 12345", String(repeating: "路", count: 60), String(repeating: "路", count: 61), "tab\there",
                     "zero\u{200B}width", "e\u{301}", "emoji 🚗", "Ｆｕｌｌ　ｗｉｄｔｈ", "\u{2003}em space"] {
            let mine = Result { try cell(text) { try ViolationFile.optionalText($0, 0, field: "location", maxLength: 60) } }
            let theirs = Result { try Fields.optionalText(text, field: "location", maxLength: 60) }
            #expect(String(describing: mine) == String(describing: theirs), "text \(text)")
        }
    }

    @Test("points are the 2022 values 0, 1, 3, 6, 9, 12; 3分 is 3; anything else is refused")
    func points() throws {
        let header = "plate,time,code,points"
        #expect(try one(header, "京A12345,2026-11-20 14:05,1625,3分").points == 3)
        #expect(try one(header, "京A12345,2026-11-20 14:05,1625,12").points == 12)
        #expect(try one(header, "京A12345,2026-11-20 14:05,1625,").points == nil)
        for bad in ["2", "15", "-3", "三"] {
            #expect(try refusals { try read("\(header)\n京A12345,2026-11-20 14:05,1625,\(bad)\n") } == ["2: points"])
        }
    }

    @Test("codes are 4 or 5 digits, spaces dropped, full-width digits made ASCII; letters or other lengths refused")
    func codes() throws {
        let header = "plate,time,code"
        #expect(try one(header, "京A12345,2026-11-20 14:05, 16 25 ").code == "1625")
        #expect(try one(header, "京A12345,2026-11-20 14:05,13450").code == "13450")
        #expect(try one(header, "京A12345,2026-11-20 14:05,１６２５").code == "1625")
        for bad in ["16A5", "162", "134500", "", "1625.0"] {
            #expect(try refusals { try read("\(header)\n京A12345,2026-11-20 14:05,\(bad)\n") } == ["2: code"])
        }
    }

    @Test("plates are normalised from any spelling")
    func plates() throws {
        #expect(try one("plate,time,code", "京a·12345,2026-11-20 14:05,1625").plate.text == "京A12345")
        #expect(try one("plate,time,code", "粤B D12345,2026-11-20 14:05,1625").plate.kind == .newEnergySmall)
    }

    @Test("location, description and record number: trimmed, empty is nil, too long or with control characters refused")
    func texts() throws {
        let header = "plate,time,code,location,description,record no"
        let record = try one(header, "京A12345,2026-11-20 14:05,1625,  建国路 ,\u{3000},  R-001 ")
        #expect(record.location == "建国路" && record.description == nil && record.recordNo == "R-001")
        let long = String(repeating: "路", count: 201)
        #expect(try refusals { try read("\(header)\n京A12345,2026-11-20 14:05,1625,\(long),,\n") } == ["2: location"])
        #expect(try refusals { try read("\(header)\n京A12345,2026-11-20 14:05,1625,,\"a\u{7}b\",\n") } == ["2: description"])
        #expect(try refusals { try read("\(header)\n京A12345,2026-11-20 14:05,1625,,,\(String(repeating: "9", count: 61))\n") } == ["2: record-no"])
    }

    @Test("a record number that Excel shortened to 1.10105E+15 is refused: its digits are gone")
    func shortenedRecordNumber() throws {
        let failure = try #require(throws: ViolationFileErrors.self) {
            try read("plate,time,code,record no\n京A12345,2026-11-20 14:05,1625,1.10105E+15\n")
        }
        #expect(failure.errors.map(\.field) == ["record-no"])
        #expect(failure.errors.first?.code == "input.recordNo.shortened")
        #expect(try one("plate,time,code,record no", "京A12345,2026-11-20 14:05,1625,110105E2026").recordNo == "110105E2026")
    }

    /// `body` applied to one unquoted cell, as the reader sees it.
    private func cell<T>(_ text: String, _ body: (Cells) throws -> T) rethrows -> T {
        try Array(text.utf8).withUnsafeBufferPointer { bytes in
            try body(Cells(bytes: bytes, fields: [FieldSpan(start: 0, end: bytes.count, quoted: false)]))
        }
    }
}

@Suite("Violation files: speed", .enabled(if: ProcessInfo.processInfo.environment["VIOLATION_FILE_BENCH"] != nil))
struct ViolationFileSpeedTests {
    @Test("100,000 GB18030 rows are read and checked in well under a second (release build)")
    func hundredThousandRows() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let url = scratch.folder.appendingPathComponent("100k.csv")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        let provinces = Array("京沪粤川浙苏鲁豫津渝")
        var text = "序号,车牌号码,违法时间,违法代码,违法地点,罚款金额（元）,记分,决定书编号,处理状态\r\n"
        for i in 0..<100_000 {
            text += "\(i + 1),\(provinces[i % 10])A\(String(100_000 + i).dropFirst()),2025-\(1 + i % 12)-\(1 + i % 28) \(i % 24):\(String(100 + i % 60).dropFirst()):07,"
            text += "\(i % 2 == 0 ? "1625" : "13450"),北京市朝阳区建国路\(i % 100)号,\(i % 3 == 0 ? "150" : "200.00"),\([0, 1, 3, 6][i % 4]),110105\(100_000_000_000 + i),未处理\r\n"
            if i % 5_000 == 4_999 {
                try handle.write(contentsOf: gb(text))
                text = ""
            }
        }
        try handle.close()
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! NSNumber
        let clock = ContinuousClock()
        var records: [ViolationRecord] = []
        let elapsed = try clock.measure { records = try ViolationFile.read(url: url, time: shop, now: now) }
        print("ViolationFile: 100,000 GB18030 rows, \(size.intValue) bytes, read in \(elapsed) with the chosen decoder")
        #expect(records.count == 100_000)
        var again: [ViolationRecord] = []
        let foundation = try clock.measure {
            again = try ViolationFile.read(url: url, time: shop, now: now, chunkSize: ViolationFile.defaultChunkSize, forceFoundationDecoder: true)
        }
        print("ViolationFile: the same with Foundation's GB18030 converter: \(foundation)")
        #expect(again == records)
        #if !DEBUG
        #expect(elapsed < .seconds(1))
        #endif
    }
}
