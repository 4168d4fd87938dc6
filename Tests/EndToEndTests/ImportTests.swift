import Foundation
import Testing

@Suite("End to end: importing camera records")
struct ImportEndToEndTests {
    /// 10,000 records on 20 customer cars over 500 days, in the Chinese header of a traffic police export.
    func records(_ count: Int) -> String {
        var lines = ["序号,车牌号,违法时间,违法地点,违法代码,罚款金额,记分,决定书编号,处理状态"]
        let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01 08:00 +08:00
        for index in 0..<count {
            let plate = "京A\(String(format: "%05d", index % 20))"
            let date = start.addingTimeInterval(TimeInterval(index) * 4_000)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let time = String(format: "%04d/%d/%d %d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            lines.append("\(index + 1),\(plate),\(time),北京市朝阳区东三环北路\(index % 7)号,1117,200,1,R\(1_100_000 + index),未处理")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    func shop(_ backend: Backend) throws -> CLI {
        var cli = try CLI.bare(backend)
        cli.now = "2026-11-20 20:00"
        for index in 0..<20 {
            try cli.ok("vehicle", "add", "--plate", "京A\(String(format: "%05d", index))", "--owner", "车主\(index)")
        }
        return cli
    }

    @Test("a 10,000-row GB18030 file with a Chinese header and no BOM imports whole; the same file twice adds nothing", arguments: Backend.allCases)
    func gb18030(_ backend: Backend) throws {
        let cli = try shop(backend)
        let file = cli.folder.appendingPathComponent("notices-gbk.csv")
        let data = try #require(records(10_000).data(using: String.Encoding(rawValue: 0x8000_0632)))
        #expect(data.prefix(3) != Data([0xEF, 0xBB, 0xBF]))
        #expect(String(data: data, encoding: .utf8) == nil, "the file must really be GB18030, not UTF-8")
        try data.write(to: file)
        let first = try cli.ok("violation", "import", file.path, "--json").object()
        #expect(first["records"] as? Int == 10_000)
        #expect(first["added"] as? Int == 10_000)
        #expect(first["skipped"] as? Int == 0)
        #expect((first["byAttribution"] as? [String: Int])?["outsideCustody"] == 10_000)
        let second = try cli.ok("violation", "import", file.path, "--json").object()
        #expect(second["added"] as? Int == 0)
        #expect(second["skipped"] as? Int == 10_000)
        let list = try cli.ok("violation", "list", "--json").array()
        #expect(list.count == 10_000)
        #expect(list.contains { $0["location"] as? String == "北京市朝阳区东三环北路3号" })
        #expect(try cli.ok("audit", "--json").array().filter { $0["action"] as? String == "violation.import" }.count == 2)
    }

    @Test("a file the user may not read is refused naming the file and the permission, and nothing is written (also as root: run as nobody)", arguments: Backend.allCases)
    func notPermitted(_ backend: Backend) throws {
        let cli = try shop(backend)
        let file = cli.folder.appendingPathComponent("locked.csv")
        try Data(records(5).utf8).write(to: file)
        // The shop's files are open to the unprivileged user; only the camera file is not.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: cli.folder.path)
        for name in try FileManager.default.contentsOfDirectory(atPath: cli.folder.path) {
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: cli.folder.appendingPathComponent(name).path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: file.path)
        let before = try cli.dump()
        for dryRun in [false, true] {
            let result = try cli.run(["violation", "import", file.path] + (dryRun ? ["--dry-run"] : []), unprivileged: true)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("文件（file）：没有权限读取 \(file.path)"), "\(result.stderr)")
        }
        #expect(try cli.dump() == before)
        // The same file made readable imports: the refusal was the permission's.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let readable = try cli.run(["violation", "import", file.path, "--json"], unprivileged: true)
        #expect(readable.status == 0, "\(readable.stderr)")
    }

    @Test("a file with three bad rows imports nothing and names the three lines", arguments: Backend.allCases)
    func badRows(_ backend: Backend) throws {
        let cli = try shop(backend)
        var lines = records(50).components(separatedBy: "\r\n")
        lines[5] = lines[5].replacingOccurrences(of: "京A00004", with: "京A0000I")
        lines[17] = lines[17].replacingOccurrences(of: "2025/", with: "2025-13-").replacingOccurrences(of: "2025-13-1/", with: "2025-13-")
        lines[30] = lines[30].replacingOccurrences(of: ",200,", with: ",-5,")
        let file = cli.folder.appendingPathComponent("bad.csv")
        try Data(("\u{FEFF}" + lines.joined(separator: "\r\n")).utf8).write(to: file)
        let before = try cli.dump()
        let result = try cli.run(["violation", "import", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("有 3 行不能导入，整个文件都没有导入"), "\(result.stderr)")
        #expect(result.stderr.contains("第 6 行，车牌（plate）："))
        #expect(result.stderr.contains("第 18 行，违法时间（time）："))
        #expect(result.stderr.contains("第 31 行，罚款（fine）："))
        let english = try cli.run(["violation", "import", file.path, "--lang", "en"])
        #expect(english.status == 2 && english.stderr.contains("3 lines cannot be imported; nothing was imported:\n  line 6: plate: "), "\(english.stderr)")
        #expect(try cli.dump() == before)
    }

    @Test("a dry run attributes and counts, and writes nothing; unknown plates are named", arguments: Backend.allCases)
    func dryRunAndUnknown(_ backend: Backend) throws {
        let cli = try shop(backend)
        let file = cli.folder.appendingPathComponent("ok.csv")
        try Data(records(30).utf8).write(to: file)
        let before = try cli.dump()
        let dry = try cli.ok("violation", "import", file.path, "--dry-run", "--json").object()
        #expect(dry["added"] as? Int == 30)
        #expect(dry["dryRun"] as? Bool == true)
        #expect(try cli.dump() == before)
        let unknown = cli.folder.appendingPathComponent("unknown.csv")
        try Data("plate,time,code\n沪Z99999,2026-11-01 10:00,1625\n".utf8).write(to: unknown)
        let refused = try cli.run(["violation", "import", unknown.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("第 2 行，车牌（plate）：沪Z99999 不是本店登记的客户车辆"), "\(refused.stderr)")
        #expect(try cli.run(["violation", "import", cli.folder.appendingPathComponent("missing.csv").path]).status == 2)
    }
}
