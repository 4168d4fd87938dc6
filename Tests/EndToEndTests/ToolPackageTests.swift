import Foundation
import Testing

/// Every program the tests, the benchmark and the scripts run by absolute path comes from a Debian package that
/// `scripts/install-packages.sh` installs: a fresh machine has nothing else. (A program installed by hand once hid a
/// missing `librsvg2-bin`, ImageMagick's SVG delegate, until a fresh clone failed.)
@Suite("A fresh machine: every tool the tests run is installed by the project")
struct ToolPackageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs a program and returns its exit status and standard output.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Absolute paths of programs (`/usr/bin/x`, `/bin/x`, `/usr/sbin/x`, `/sbin/x`, PostgreSQL's `/usr/lib/postgresql/15/bin/x`)
    /// named in a text.
    static func toolPaths(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"(?<![A-Za-z0-9_./-])(?:/usr/lib/postgresql/[0-9]+/bin|(?:/usr)?/s?bin)/[A-Za-z0-9][A-Za-z0-9._+-]*"#)
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    /// The source files of the tests, the scripts and the benchmark, with the tool paths each names.
    static func toolPathsByFile() throws -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        for folder in ["Tests", "scripts", "Sources/driverdesk-bench"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            // This file's own examples of paths are not tools it runs (it runs dpkg and the install script).
            for case let url as URL in walker where ["swift", "sh"].contains(url.pathExtension) && url.lastPathComponent != "ToolPackageTests.swift" {
                let paths = toolPaths(in: try String(contentsOf: url, encoding: .utf8))
                if !paths.isEmpty { found[String(url.path.dropFirst(root.path.count + 1))] = paths }
            }
        }
        return found
    }

    /// The Debian package that owns a path, asking dpkg for the path, for its twin across the /usr merge, and for
    /// the file a link leads to (`/usr/bin/convert` is an alternative for ImageMagick's `convert-im6.q16`).
    static func package(of path: String) throws -> String? {
        let twin = path.hasPrefix("/usr/") ? String(path.dropFirst(4)) : "/usr" + path
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        for candidate in [path, twin, target] {
            let answer = try run("/usr/bin/dpkg", ["-S", candidate])
            guard answer.status == 0 else { continue }
            // "zbar-tools: /usr/bin/zbarimg" or "libc-bin:amd64: /usr/bin/iconv"; "diversion by ..." lines are not owners.
            for line in answer.out.split(separator: "\n") where !line.hasPrefix("diversion ") {
                guard let colon = line.range(of: ": ") else { continue }
                let owner = line[..<colon.lowerBound].split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                return String(owner.split(separator: ":").first ?? "")
            }
        }
        return nil
    }

    /// The packages a package depends on directly (`imagemagick` brings `imagemagick-6.q16`, which owns `convert`).
    static func dependencies(of package: String) throws -> Set<String> {
        let answer = try run("/usr/bin/dpkg-query", ["-W", "-f=${Depends}", package])
        guard answer.status == 0 else { return [] }
        return Set(answer.out.split(whereSeparator: { $0 == "," || $0 == "|" }).compactMap {
            $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map { String($0.split(separator: ":").first ?? $0) }
        })
    }

    @Test("the pattern finds tool paths in code and scripts, and not in longer paths or words")
    func pattern() {
        #expect(ToolPackageTests.toolPaths(in: #"run("/usr/bin/zbarimg", …) and `/bin/bash -c`; /usr/sbin/runuser, "/usr/lib/postgresql/15/bin/psql""#)
                == ["/usr/bin/zbarimg", "/bin/bash", "/usr/sbin/runuser", "/usr/lib/postgresql/15/bin/psql"])
        #expect(ToolPackageTests.toolPaths(in: "/opt/swift/usr/bin/swift, .build/debug/bin/x, robin/bin, /usr/local/bin/x").isEmpty)
    }

    @Test("every absolute tool path under Tests/, scripts/ and the benchmark belongs to a package in scripts/install-packages.sh")
    func everyToolIsInstalledByTheProject() throws {
        let listed = try ToolPackageTests.run(ToolPackageTests.root.appendingPathComponent("scripts/install-packages.sh").path, ["list"])
        #expect(listed.status == 0)
        let packages = Set(listed.out.split(separator: "\n").map(String.init))
        #expect(packages.contains("librsvg2-bin") && packages.contains("zbar-tools"), "install-packages.sh list printed \(packages)")
        // This test's own tools.
        for tool in ["/usr/bin/dpkg", "/usr/bin/dpkg-query"] { #expect(try ToolPackageTests.package(of: tool).map(packages.contains) == true, "\(tool)") }

        let byFile = try ToolPackageTests.toolPathsByFile()
        let paths = byFile.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        // What the suite relies on is found at all (a pattern that matched nothing would pass below).
        #expect(paths.isSuperset(of: ["/usr/bin/sqlite3", "/usr/bin/zbarimg", "/usr/bin/convert", "/usr/bin/chromium"]), "\(paths.sorted())")
        var problems: [String] = []
        for path in paths.sorted() {
            let files = byFile.filter { $0.value.contains(path) }.keys.sorted().joined(separator: ", ")
            guard let owner = try ToolPackageTests.package(of: path) else {
                problems.append("\(path) (in \(files)) belongs to no installed package")
                continue
            }
            if !packages.contains(owner) && !packages.contains(where: { try! ToolPackageTests.dependencies(of: $0).contains(owner) }) { problems.append("\(path) (in \(files)) comes from \(owner), which scripts/install-packages.sh does not install") }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        figure("tools: \(paths.count) absolute tool paths in \(byFile.count) files, each from one of \(packages.count) packages the project installs")
    }
}

/// A figure line that `swift test` shows.
private func figure(_ text: String) {
    print("[tools] \(text)")
}
