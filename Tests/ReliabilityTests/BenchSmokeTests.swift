import Foundation
import Testing

/// Issue 6: `driverdesk-bench --scale small` runs in every `make test`, so the benchmark cannot rot. It runs on its
/// own after the other tests (the Makefile skips it in the main run and runs it alone through scripts/bench-smoke.sh,
/// which fails unless it really ran and passed): its wrk load would starve the tests that time processes or drive
/// Chromium and ImageMagick. How fast it is belongs to the benchmark's own table, not to this test.
@Suite("The benchmark at small scale")
struct BenchSmokeTests {
    static var bench: String {
        URL(fileURLWithPath: Shop.binary).deletingLastPathComponent().appendingPathComponent("driverdesk-bench").path
    }

    @Test("driverdesk-bench --scale small measures every figure against its yardstick and writes the JSON")
    func smallScale() throws {
        let shop = try Shop()
        defer { shop.remove() }
        let json = shop.file("bench.json")
        // Alone, the debug build takes about 20 s.
        let outcome = try Processes.run(BenchSmokeTests.bench, ["--scale", "small", "--json", json.path], environment: shop.environment,
                                        folder: shop.folder, timeout: 240)
        #expect(outcome.status == 0 && !outcome.signaled, "\(outcome)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let rows = try #require(document["rows"] as? [[String: Any]])
        let names = rows.compactMap { $0["name"] as? String }
        for section in ["violation import", "who drove", "driverdesk who", "cleanup", "invites", "dashboard", "serve RSS"] {
            #expect(names.contains { $0.contains(section) }, "no \(section) row in \(names)")
        }
        for row in rows {
            let runs = (row["ours"] as? [String: Any])?["runs"] as? [Double] ?? []
            #expect(!runs.isEmpty && runs.allSatisfy { $0 > 0 && $0.isFinite }, "\(row["name"] ?? "?"): \(runs)")
        }
        // Every row with a target says whether it met it, and its yardstick was measured in the same run.
        for row in rows where (row["target"] as? String).map({ $0 != "-" }) ?? false {
            #expect(row["met"] is Bool, "\(row["name"] ?? "?") has a target but no verdict")
        }
        #expect(outcome.stdout.contains("| measurement |"), "no table on stdout")
        figure("bench/small: \(rows.count) rows in \(String(format: "%.1f", outcome.seconds)) s")
    }
}
