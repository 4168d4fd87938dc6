import Foundation
import QRCode
import XCTest

/// Opt-in throughput check (QRCODE_BENCH=1, ideally `swift test -c release`) for batch invite rendering.
final class BenchmarkTests: XCTestCase {
    private let texts = (0..<1000).map(Payloads.invite(number:))

    private func skipUnlessRequested() throws {
        // Opt-in because wall-clock numbers on shared CI are noise; run it when tuning renderers.
        guard ProcessInfo.processInfo.environment["QRCODE_BENCH"] == "1" else {
            throw XCTSkip("set QRCODE_BENCH=1 to run the 1,000-invite benchmark")
        }
    }

    func testRenderThousandInvitesSerially() throws {
        try skipUnlessRequested()
        var svgBytes = 0, pngBytes = 0
        let clock = ContinuousClock()
        var encodeTime = Duration.zero, svgTime = Duration.zero, pngTime = Duration.zero
        for text in texts {
            var code: QRCode?
            encodeTime += clock.measure { code = try? QRCode(text: text) }
            let symbol = try XCTUnwrap(code)
            svgTime += clock.measure { svgBytes += symbol.svg().utf8.count }
            var png: [UInt8] = []
            pngTime += try clock.measure { png = try symbol.png() }
            pngBytes += png.count
        }
        print("BENCH serial 1000 invites: encode \(encodeTime), svg \(svgTime), png \(pngTime), "
              + "total \(encodeTime + svgTime + pngTime); avg svg \(svgBytes / 1000) B, avg png \(pngBytes / 1000) B")
    }

    func testRenderThousandInvitesOnAllCores() throws {
        try skipUnlessRequested()
        // The value types are Sendable, so a batch can fan out across cores with no shared state.
        let texts = texts
        let failures = LockedCount()
        let elapsed = ContinuousClock().measure {
            DispatchQueue.concurrentPerform(iterations: texts.count) { index in
                do {
                    let code = try QRCode(text: texts[index])
                    _ = code.svg()
                    _ = try code.png()
                } catch {
                    failures.increment()
                }
            }
        }
        XCTAssertEqual(failures.value, 0)
        print("BENCH parallel (\(ProcessInfo.processInfo.activeProcessorCount) cores) 1000 invites encode+svg+png: \(elapsed)")
    }
}
