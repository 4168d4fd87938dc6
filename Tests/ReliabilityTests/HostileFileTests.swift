import Foundation
import Testing

/// Issue 7, hostile input: broken camera-record files for `violation import`.
@Suite("Reliability: broken CSV files import nothing and leave the database unchanged", .serialized)
struct HostileFileTests {
    static let header = "车牌号,违法时间,违法代码,违法地点,罚款金额,记分,决定书编号"

    static func csv(_ rows: [String], header: String = HostileFileTests.header) -> Data {
        Data((([header] + rows).joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A good row on a customer car of `Shop.small()`.
    static func row(_ index: Int, plate: String = "京A12345", time: String? = nil, code: String = "1117", location: String = "东三环北路",
                    fine: String = "200", points: String = "1", record: String? = nil) -> String {
        let at = time ?? String(format: "2026/10/%d %d:%02d", 1 + index % 28, 8 + index % 10, index % 60)
        return "\(plate),\(at),\(code),\(location),\(fine),\(points),\(record ?? "F-\(index)")"
    }

    /// The files, each with what the refusal must name.
    static func files(in shop: Shop) throws -> [(String, [String])] {
        var files: [(String, [String])] = []
        func write(_ name: String, _ data: Data, _ names: String...) throws {
            let url = shop.file(name)
            try data.write(to: url)
            files.append((url.path, names))
        }
        var random = SeededGenerator(seed: 7)
        let good = (0..<20).map { row($0) }

        files.append((shop.file("missing.csv").path, ["file:"]))
        files.append((shop.folder.path, ["file:"]))
        files.append(("/dev/zero", ["file:"]))
        // Random bytes are refused as a file that cannot be read, or (when the first bytes happen to decode) for the
        // header they make: either names the file's problem.
        files.append(("/dev/urandom", ["file:", "line 1: header:"]))
        try write("empty.csv", Data(), "file:")
        try write("blank-lines.csv", Data("\r\n\r\n \r\n".utf8), "file:")
        try write("header-only.csv", csv([]), "file:")
        let text = ([header] + good).joined(separator: "\r\n")
        try write("utf16le-bom.csv", Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!, "file:", "UTF-16")
        try write("utf16be-bom.csv", Data([0xFE, 0xFF]) + text.data(using: .utf16BigEndian)!, "file:", "UTF-16")
        try write("utf16le.csv", text.data(using: .utf16LittleEndian)!, "file:")
        try write("utf32.csv", text.data(using: .utf32LittleEndian)!, "file:")
        try write("binary.csv", Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &random) }), "file:")
        try write("binary-no-nul.csv", Data((0..<65_536).map { _ in UInt8.random(in: 1...255, using: &random) }), "file:", "header:")
        try write("workbook.xlsx.csv", Data([0x50, 0x4B, 0x03, 0x04]) + Data(repeating: 0x41, count: 2_000), "file:")
        try write("workbook.xls.csv", Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + Data(repeating: 0, count: 2_000), "file:")
        try write("png.csv", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 500), "file:", "header:")
        var withNul = csv(good)
        withNul.insert(0, at: withNul.count / 2)
        try write("nul-inside.csv", withNul, "file:")
        try write("ragged-short.csv", csv(good + ["京A12345,2026/10/3 10:00"]), "row:")
        try write("ragged-long.csv", csv(good + [row(99) + ",extra,fields,here"]), "row:")
        try write("ragged-mixed.csv", csv(["京A12345", row(1) + ",,x", "", ",,,,,,,,,,,,,"]), "row:")
        try write("unclosed-quote.csv", csv(good + ["京A12345,\"2026/10/3 10:00,1117,x,200,1,Q-1"] + good), "file:", "quote")
        try write("huge-field.csv", csv([row(1, location: "\"" + String(repeating: "长", count: 30_000) + "\"")]), "file:", "location:")
        try write("huge-header.csv", csv([row(1)], header: (0..<20_000).map { "c\($0)" }.joined(separator: ",")), "file:", "header:")
        try write("no-header.csv", csv(good, header: "交通违法记录查询结果 2026年11月"), "header:")
        try write("duplicate-columns.csv", csv(good, header: header + ",号牌号码"), "header:")
        try write("fine-in-fen.csv", csv(good, header: "车牌号,违法时间,违法代码,违法地点,罚款（分）,记分,决定书编号"), "header:")
        try write("sql-plate.csv", csv(good + [row(50, plate: Hostile.sql)]), "plate:")
        try write("html-plate.csv", csv(good + [row(51, plate: Hostile.script)]), "plate:")
        try write("ansi-plate.csv", csv(good + [row(52, plate: "\u{1b}[31m京A12345")]), "plate:")
        try write("unknown-plate.csv", csv(good + [row(53, plate: "沪Z99999")]), "plate:")
        try write("future.csv", csv(good + [row(54, time: "2999/1/1 10:00")]), "time:")
        try write("tomorrow-plus.csv", csv(good + [row(55, time: "2026/11/22 10:00")]), "time:")
        try write("before-2000.csv", csv(good + [row(56, time: "1999/12/31 23:59")]), "time:")
        try write("impossible-time.csv", csv(good + [row(57, time: "2026/2/30 10:00"), row(58, time: "2026/10/3 25:00")]), "time:")
        try write("sql-time.csv", csv(good + [row(59, time: Hostile.sqlDelete)]), "time:")
        try write("negative-fine.csv", csv(good + [row(60, fine: "-200")]), "fine:")
        try write("huge-fine.csv", csv(good + [row(61, fine: "99999999999999999999")]), "fine:")
        try write("nan-fine.csv", csv(good + [row(62, fine: "NaN"), row(63, fine: "1e309")]), "fine:")
        try write("bad-code.csv", csv(good + [row(64, code: "16;25"), row(65, code: Hostile.script)]), "code:")
        try write("unknown-code.csv", csv(good + ["京A12345,2026/10/9 10:00,9999,x,,,U-1"]), "code")
        try write("bad-points.csv", csv(good + [row(66, points: "2"), row(67, points: "-3")]), "points:")
        try write("control-location.csv", csv(good + [row(68, location: "东三环\u{7}北路"), row(69, location: "\u{1b}[31m红")]), "location:")
        try write("long-location.csv", csv(good + [row(70, location: String(repeating: "路", count: 5_000))]), "location:")
        try write("excel-record.csv", csv(good + [row(71, record: "1.10105E+15")]), "record-no:")
        try write("long-record.csv", csv(good + [row(72, record: String(repeating: "9", count: 500))]), "record-no:")
        try write("cr-only.csv", Data(([header] + good + [row(73, plate: "京A1234I")]).joined(separator: "\r").utf8), "plate:")
        // A GB18030 header, then bytes that are neither UTF-8 nor GB18030.
        let gbk = Data("车牌号,违法时间,违法代码\r\n".data(using: String.Encoding(rawValue: 0x8000_0632))!) + Data([0xB1, 0xB1, 0xFF, 0x2C, 0x81, 0x0D, 0x0A])
        try write("broken-gb18030.csv", gbk, "file:", "plate:")
        return files
    }

    @Test("every broken file: exit 2, the file's problem named (with its line), nothing imported, the database unchanged")
    func brokenFiles() throws {
        let clock = Stopwatch()
        let shop = try Shop.small()
        defer { shop.remove() }
        let files = try HostileFileTests.files(in: shop)
        var cases: [HostileInputTests.Case] = []
        for (path, names) in files {
            var item = HostileInputTests.Case(["violation", "import", path])
            item.names = names
            cases.append(item)
            var dry = HostileInputTests.Case(["violation", "import", path, "--dry-run"])
            dry.names = names
            cases.append(dry)
        }
        let tried = try HostileInputTests.runCorpus(cases, on: shop, label: "hostile/files")
        figure("hostile/files: \(files.count) broken files × (import, --dry-run) = \(tried) in \(String(format: "%.1f", clock.seconds)) s")
    }

    @Test("an oversized file (100 MB in soak): one endless line, and a long valid file with a bad last line, both refused")
    func oversized() throws {
        let clock = Stopwatch()
        let shop = try Shop.small()
        defer { shop.remove() }
        let megabytes = Scale.bigCSVMegabytes
        // One line that never ends: refused at its first 64 KB.
        let endless = shop.file("endless.csv")
        _ = FileManager.default.createFile(atPath: endless.path, contents: nil)
        let handle = try FileHandle(forWritingTo: endless)
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        handle.write(Data((HostileFileTests.header + "\r\n").utf8))
        for _ in 0..<megabytes { handle.write(block) }
        try handle.close()
        // Valid rows for `megabytes` MB, and a bad plate on the very last line: the whole file is read, then refused.
        let long = shop.file("long.csv")
        _ = FileManager.default.createFile(atPath: long.path, contents: nil)
        let writer = try FileHandle(forWritingTo: long)
        writer.write(Data((HostileFileTests.header + "\r\n").utf8))
        var lines = 1, written = 0
        var chunk = ""
        while written < megabytes << 20 {
            chunk.removeAll(keepingCapacity: true)
            for _ in 0..<2_000 {
                lines += 1
                let minutes = lines % 500_000
                chunk += "京A12345,2026/\(1 + minutes / 40_000 % 10)/\(1 + minutes / 1_440 % 28) \(minutes / 60 % 24):\(String(format: "%02d", minutes % 60)),1117,东三环北路,200,1,L-\(lines)\r\n"
            }
            let data = Data(chunk.utf8)
            writer.write(data)
            written += data.count
        }
        lines += 1
        writer.write(Data("京A1234I,2026/10/1 10:00,1117,x,200,1,L-last\r\n".utf8))
        try writer.close()
        let size = try FileManager.default.attributesOfItem(atPath: long.path)[.size] as? Int ?? 0

        var endlessCase = HostileInputTests.Case(["violation", "import", endless.path])
        endlessCase.names = ["file:"]
        var longCase = HostileInputTests.Case(["violation", "import", long.path])
        longCase.names = ["line \(lines): plate:"]
        _ = try HostileInputTests.runCorpus([endlessCase, longCase], on: shop, label: "hostile/oversized")
        figure("hostile/oversized: a \(megabytes) MB endless line and a \(size / 1_048_576) MB file of \(lines) lines with a bad last one, refused in \(String(format: "%.1f", clock.seconds)) s")
    }
}
