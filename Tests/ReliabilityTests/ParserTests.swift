import DriverDeskCore
import Foundation
import ParserChecks
import Testing

/// Issue 7, fuzzing: the fuzz targets' findings replayed, and the parsers hammered deterministically in `make test`.
@Suite("Reliability: the parsers take any bytes")
struct ParserTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// Every saved input through its checks: the problems found, as lines.
    static func replay() -> [String] {
        var problems: [String] = []
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fuzz")
        for (name, check) in ParserChecks.all {
            let files = (try? FileManager.default.contentsOfDirectory(at: folder.appendingPathComponent(name), includingPropertiesForKeys: nil)) ?? []
            if files.isEmpty { problems.append("no inputs in Fuzz/\(name)") }
            for file in files.sorted(by: { $0.path < $1.path }) {
                FileHandle.standardError.write(Data("replaying Fuzz/\(name)/\(file.lastPathComponent)\n".utf8))
                guard let data = try? Data(contentsOf: file) else { continue }
                if let problem = check(data) { problems.append("Fuzz/\(name)/\(file.lastPathComponent): \(problem)") }
            }
        }
        return problems
    }

    @Test("every saved fuzz input (seeds and crashes found) passes its target's checks, in a child process that may crash")
    func fuzzRegressions() async throws {
        // A crash input would end the test process; replayed in a child process it ends only that, and says which.
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let problems = ParserTests.replay()
            for problem in problems { FileHandle.standardError.write(Data("PROBLEM \(problem)\n".utf8)) }
            exit(problems.isEmpty ? 0 : 1)
        }
        if let result, result.exitStatus != .exitCode(0) {
            let log = String(decoding: result.standardErrorContent, as: UTF8.self).split(separator: "\n")
            Issue.record("the last input replayed, or the problems: \(log.suffix(5))")
        }
        let inputs = ParserChecks.all.map { (try? FileManager.default.contentsOfDirectory(atPath: ParserTests.fuzzFolder.appendingPathComponent($0.folder).path).count) ?? 0 }
        figure("fuzz/regressions: \(inputs.reduce(0, +)) saved inputs replayed (\(zip(ParserChecks.all.map(\.folder), inputs).map { "\($0) \($1)" }.joined(separator: ", ")))")
    }

    /// Pieces inputs are made of: what the parsers look for, and what breaks parsers.
    static let pieces: [String] = [
        "京", "沪", "粤", "使", "领", "挂", "学", "A", "B", "D", "F", "I", "O", "Z", "a", "z", "0", "1", "5", "9", "X", "x",
        "１", "Ａ", "ａ", "·", "-", "‐", ".", "．", " ", "\u{3000}", "\t", "\r", "\n", "\r\n", ",", "\"", "\"\"", "'", ";", ":", "：", "/",
        "年", "月", "日", "时", "分", "秒", "T", "t", "Z", "+", "+08:00", "-05:30", "+0800", "+14", "+99", "2026", "11", "26", "14", "05",
        "2026-11-26", "2026/2/29", "2025-02-29", "1900-01-01", "2999-12-31", "9999", "24:00", "23:59:59", "14:05", ".123456789", ",5",
        "\u{0}", "\u{7}", "\u{1b}[31m", "\u{202E}", "\u{FEFF}", "\u{200D}", "\u{301}", "👨‍👩‍👧", "🚗", "\u{FFFD}", "\u{10FFFF}",
        "车牌号", "违法时间", "违法代码", "违法地点", "罚款金额（元）", "记分", "决定书编号", "plate", "time", "code", "fine", "points",
        "1625", "1117", "200", "200.50", "¥1,000.50", "200元", "3分", "46000.5", "1.10105E+15", "-200", "1e309", "NaN",
        "110105198803124111", "11010519491231002X", "INV-7K3Q-9XZP", "<script>", "'; DROP TABLE staff; --",
    ]

    /// A random input: pieces strung together, then mutated at the byte level; sometimes invalid UTF-8 or GB18030.
    static func input(_ generator: inout SeededGenerator, lines: Bool) -> Data {
        var text = ""
        let count = Int.random(in: 0...(lines ? 60 : 12), using: &generator)
        for _ in 0..<count {
            text += pieces.randomElement(using: &generator)!
            if lines, Int.random(in: 0..<8, using: &generator) == 0 { text += "\r\n" }
        }
        var bytes = Array(text.utf8)
        if lines, Bool.random(using: &generator), let gb = text.data(using: String.Encoding(rawValue: 0x8000_0632)) { bytes = Array(gb) }
        return mutate(Data(bytes), &generator, times: Int.random(in: 0...3, using: &generator))
    }

    /// `times` byte-level mutations: a random byte, a byte dropped or added, a run repeated, a piece inserted.
    static func mutate(_ data: Data, _ generator: inout SeededGenerator, times: Int) -> Data {
        var bytes = Array(data)
        for _ in 0..<times where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: at)
            case 3: bytes.insert(contentsOf: bytes[at...].prefix(8), at: at)
            default: bytes.insert(contentsOf: Array(pieces.randomElement(using: &generator)!.utf8), at: at)
            }
        }
        return Data(bytes)
    }

    static let serial = Array("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    /// Near-valid plates in the spellings people type, then perhaps broken.
    static func plate(_ g: inout SeededGenerator) -> String {
        let province = String(Array(Plate.provinces).randomElement(using: &g)!)
        let letter = String(Array("ABCDEFGHJKLMNPQRSTUVWXYZIO").randomElement(using: &g)!)
        var body = (0..<5).map { _ in String(serial.randomElement(using: &g)!) }
        switch Int.random(in: 0..<5, using: &g) {
        case 0: body = ["D"] + body
        case 1: body.append(Bool.random(using: &g) ? "D" : "F")
        case 2: body[4] = String(Array(Plate.suffixes).randomElement(using: &g)!)
        default: break
        }
        var text = province + letter + (["", " ", "·", "-", "."].randomElement(using: &g)!) + body.joined()
        if Bool.random(using: &g) { text = text.lowercased() }
        if Int.random(in: 0..<4, using: &g) == 0 {
            text = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.isASCII && $0.value > 0x20 ? Unicode.Scalar($0.value + 0xFEE0)! : $0 }))
        }
        return text
    }

    /// Valid ID numbers (lower-case x, spaces) and near misses.
    static func idNumber(_ g: inout SeededGenerator) -> String {
        let area = String(Int.random(in: 110_000...659_999, using: &g))
        let year = Int.random(in: 1890...2030, using: &g), month = Int.random(in: 0...13, using: &g), day = Int.random(in: 0...32, using: &g)
        let first17 = area + String(format: "%04d%02d%02d%03d", year, month, day, Int.random(in: 0...999, using: &g))
        var check = IDNumber.checkCharacter(for: first17).map(String.init) ?? "0"
        if Int.random(in: 0..<5, using: &g) == 0 { check = String(Array("0123456789Xx").randomElement(using: &g)!) }
        if check == "X", Bool.random(using: &g) { check = "x" }
        return (Bool.random(using: &g) ? "" : " ") + first17 + check + (Bool.random(using: &g) ? "" : "\u{3000}")
    }

    /// Times in every accepted spelling, with out-of-range parts now and then.
    static func time(_ g: inout SeededGenerator) -> String {
        let year = Int.random(in: 1890...3010, using: &g), month = Int.random(in: 0...13, using: &g), day = Int.random(in: 0...32, using: &g)
        let hour = Int.random(in: 0...25, using: &g), minute = Int.random(in: 0...61, using: &g), second = Int.random(in: 0...61, using: &g)
        let date: String
        switch Int.random(in: 0..<4, using: &g) {
        case 0: date = String(format: "%04d-%02d-%02d", year, month, day)
        case 1: date = "\(year)/\(month)/\(day)"
        case 2: date = "\(year)年\(month)月\(day)日"
        default: date = String(format: "%04d.%d.%d", year, month, day)
        }
        var clock = Bool.random(using: &g) ? String(format: "%d:%02d", hour, minute) : String(format: "%02d:%02d:%02d", hour, minute, second)
        if Int.random(in: 0..<6, using: &g) == 0 { clock += "." + String(Int.random(in: 0...999_999_999, using: &g)) }
        if Int.random(in: 0..<6, using: &g) == 0 { clock = "\(hour)时\(minute)分\(second)秒" }
        let offset = ["", "", "", "Z", "+08:00", "-05:30", "+0800", "+08", "+15:00", "+08:61", " +08:00"].randomElement(using: &g)!
        switch Int.random(in: 0..<8, using: &g) {
        case 0: return clock
        case 1: return date
        default: return date + ["T", " ", "  ", "t", "\u{3000}"].randomElement(using: &g)! + clock + offset
        }
    }

    /// A camera-record file: a header in one of its spellings, a few rows of near-valid cells, UTF-8 or GB18030.
    static func file(_ g: inout SeededGenerator) -> Data {
        let headers = ["车牌号,违法时间,违法代码,违法地点,罚款金额（元）,记分,决定书编号", "plate,time,code,location,fine,points,record no",
                       "号牌号码\t违章时间\t违法行为代码\t地点\t罚款\t扣分\t编号", "序号,车牌号,违法时间,违法代码"]
        let header = headers.randomElement(using: &g)!
        let tab = header.contains("\t")
        var lines = [header]
        // Mostly good cells, so that whole files are accepted often; one bad cell refuses the file.
        func pick(_ good: [String], _ bad: [String]) -> String {
            Int.random(in: 0..<12, using: &g) == 0 ? bad.randomElement(using: &g)! : good.randomElement(using: &g)!
        }
        for index in 0..<Int.random(in: 0...6, using: &g) {
            let validPlate = "京" + String(Array("ABCDEFGH").randomElement(using: &g)!) + String(format: "%05d", Int.random(in: 0...99_999, using: &g))
            let validTime = String(format: "2025/%d/%d %d:%02d:%02d", Int.random(in: 1...12, using: &g), Int.random(in: 1...28, using: &g),
                                   Int.random(in: 0...23, using: &g), Int.random(in: 0...59, using: &g), Int.random(in: 0...59, using: &g))
            var cells = [pick([validPlate], [plate(&g)]), pick([validTime, "45000.5", "2026-11-01T10:00:00+08:00"], [time(&g)]),
                         pick(["1625", "1117", "１６２５"], ["12", "16250a", ""]),
                         pick(["东三环北路", "\"东三环, 北路\"", "\"多\r\n行\"", ""], ["路\u{7}"]),
                         pick(["200", "200.50", "¥1,000.50", "200元", ""], ["-1", "1e9"]),
                         pick(["0", "1", "3", "3分", ""], ["2", "-3"]), "R\(index)-\(Int.random(in: 0...99_999, using: &g))"]
            if header.hasPrefix("序号") { cells = [String(index + 1)] + cells.prefix(3) }
            if Int.random(in: 0..<20, using: &g) == 0 { cells.removeLast() }
            if Int.random(in: 0..<20, using: &g) == 0 { cells.append("extra") }
            lines.append(cells.joined(separator: tab ? "\t" : ","))
        }
        let text = (Bool.random(using: &g) ? "\u{FEFF}" : "") + lines.joined(separator: Bool.random(using: &g) ? "\r\n" : "\n")
        let data = Bool.random(using: &g) ? Data(text.utf8) : (text.data(using: String.Encoding(rawValue: 0x8000_0632)) ?? Data(text.utf8))
        return Int.random(in: 0..<3, using: &g) == 0 ? mutate(data, &g, times: Int.random(in: 1...2, using: &g)) : data
    }

    /// A short input for one parser: near-valid most of the time, pieces otherwise, perhaps mutated.
    static func short(_ make: (inout SeededGenerator) -> String, _ g: inout SeededGenerator) -> Data {
        guard Int.random(in: 0..<4, using: &g) != 0 else { return input(&g, lines: false) }
        return mutate(Data(make(&g).utf8), &g, times: Int.random(in: 0...2, using: &g) == 0 ? 1 : 0)
    }

    @Test("seeded random and near-valid inputs for every parser (1,000,000 each in soak): no crash, every accepted value sound")
    func hammer() throws {
        let clock = Stopwatch()
        let seed = UInt64(ProcessInfo.processInfo.environment["RELIABILITY_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)
        var generator = SeededGenerator(seed: seed)
        let count = Scale.hammerInputs
        var failures: [String] = []
        var accepted = [String: Int]()
        let header = Data("车牌号,违法时间,违法代码,罚款金额,记分,决定书编号\r\n".utf8)
        for index in 0..<count {
            let inputs: [(String, Data, (Data) -> String?)] = [
                ("plate", ParserTests.short(ParserTests.plate, &generator), ParserChecks.plate),
                ("idnumber", ParserTests.short(ParserTests.idNumber, &generator), ParserChecks.idNumber),
                ("time", ParserTests.short(ParserTests.time, &generator), ParserChecks.time),
            ]
            for (name, data, check) in inputs {
                if let problem = check(data) { failures.append("\(name) \(data.base64EncodedString()): \(problem)") }
            }
            if (try? Plate(String(decoding: inputs[0].1, as: UTF8.self))) != nil { accepted["plate", default: 0] += 1 }
            if (try? IDNumber(String(decoding: inputs[1].1, as: UTF8.self))) != nil { accepted["idnumber", default: 0] += 1 }
            if (try? ParserChecks.utc.parse(String(decoding: inputs[2].1, as: UTF8.self), field: "at", now: ParserChecks.now)) != nil { accepted["time", default: 0] += 1 }
            // Files are slower: one in four inputs, and one in forty read in small chunks as well.
            if index % 4 == 0 {
                let file = index % 8 == 0 ? ParserTests.file(&generator) : header + ParserTests.input(&generator, lines: true)
                if let problem = ParserChecks.csv(file) { failures.append("csv \(file.base64EncodedString()): \(problem)") }
                if let problem = ParserChecks.violationFile(file, differential: index % 40 == 0) { failures.append("violationfile \(file.base64EncodedString()): \(problem)") }
                if case .records(let records) = ParserChecks.answer(file), !records.isEmpty { accepted["violationfile", default: 0] += 1 }
            }
            if failures.count > 20 { break }
        }
        #expect(failures.isEmpty, "seed \(seed): \(failures.count) inputs broke a check: \(failures.prefix(5))")
        figure("fuzz/hammer: seed \(seed), \(count) inputs each for Plate, IDNumber, ShopTime.parse, \(count / 4) for CSVReader and ViolationFile "
            + "(\(count / 40) also in 1/3/7-byte chunks); accepted \(accepted.sorted { $0.key < $1.key }); \(failures.count) failures; \(String(format: "%.1f", clock.seconds)) s")
    }
}
