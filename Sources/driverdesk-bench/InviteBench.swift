import DriverDeskCore
import Foundation
import QRCode

/// 1,000 invites rendered to SVG and PNG in process, against the `qrencode` tool doing the same.
enum InviteBench {
    /// Payloads shaped like real invites: a reference and the bilingual summary.
    static func payloads(count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        let names = ["王磊", "李强", "张伟", "刘洋", "陈静", "杨帆"]
        return (0..<count).map { index in
            let ref = InviteRef.random(using: &generator)
            let name = names[index % names.count]
            let plate = "京A\(String(format: "%05d", 10_000 + index))"
            return "\(ref)\n博远汽车维修服务中心：请车主在交管12123为员工\(name)备案非本人机动车 \(plate)\n博远汽车维修服务中心: please register \(name) as a non-owner driver of \(plate) in Traffic 12123"
        }
    }

    /// Encodes each payload once and renders both images, spreading the batch over the cores.
    static func renderAll(_ payloads: [String]) throws -> (svg: Int, png: Int) {
        let lock = NSLock()
        nonisolated(unsafe) var totals = (svg: 0, png: 0)
        nonisolated(unsafe) var failure: (any Error)?
        DispatchQueue.concurrentPerform(iterations: payloads.count) { index in
            do {
                let code = try QRCode(text: payloads[index])
                let svg = code.svg(moduleSize: 8, quietZone: 4).utf8.count
                let png = try code.png(scale: 8, quietZone: 4).count
                lock.lock()
                totals.svg += svg
                totals.png += png
                lock.unlock()
            } catch {
                lock.lock()
                failure = error
                lock.unlock()
            }
        }
        if let failure { throw failure }
        return totals
    }

    static func run(count: Int, times: Int, folder: URL) throws -> [Row] {
        let payloads = payloads(count: count)
        let ours = try Timing.measure(times: times) { _ = try renderAll(payloads) }
        var rows = [Row(name: "\(count) invites → SVG + PNG (in process)", ours: ours, yardstickName: "qrencode CLI ×\(2 * count)",
                        yardstick: nil, target: "≥ 20× faster", ratio: nil, met: nil, note: "")]
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/qrencode") else {
            rows[0].note = "qrencode not installed: no yardstick"
            return rows
        }
        for (index, payload) in payloads.enumerated() {
            try Data(payload.utf8).write(to: folder.appendingPathComponent("p\(index).txt"))
        }
        // The tool loop as a shell runs it: one qrencode process per image.
        let script = """
            cd '\(folder.path)'
            for i in $(seq 0 \(count - 1)); do
              qrencode -8 -l M -t SVG -s 8 -m 4 -o q$i.svg < p$i.txt
              qrencode -8 -l M -t PNG -s 8 -m 4 -o q$i.png < p$i.txt
            done
            """
        let yardstick = try Timing.measure(times: times) { try DriverDeskBench.run("/bin/bash", ["-c", script]) }
        rows[0].yardstick = yardstick
        rows[0].ratio = yardstick.median / ours.median
        rows[0].met = rows[0].ratio! >= 20
        rows[0].ratioMeaning = "qrencode ÷ ours"
        rows[0].note = "\(ProcessInfo.processInfo.activeProcessorCount) cores; each payload encoded once, both images rendered; qrencode: one process per image"
        return rows
    }
}
