// libFuzzer target: ViolationFile.read(data:time:now:), the streaming camera-record reader. See scripts/fuzz.sh.
import DriverDeskCore
import Foundation

/// Static, so lazily made: with the fuzzer sanitizer this file is a library and has no top-level code.
enum Fixture {
    static let shop = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    static let now = Date(timeIntervalSince1970: 1_795_147_200)  // 2026-11-20 12:00 +08:00
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let (shop, now) = (Fixture.shop, Fixture.now)
    let records: [ViolationRecord]
    do {
        records = try ViolationFile.read(data: data, time: shop, now: now)
    } catch let error as ViolationFileErrors {
        precondition(!error.errors.isEmpty && error.lines > 0, "an empty error list")
        _ = error.localizedDescription
        return 0
    } catch let error as DeskError {
        precondition(error.exitCode == 2, "a file error that is not exit 2: \(error)")
        return 0
    } catch {
        preconditionFailure("an error that is neither DeskError nor ViolationFileErrors: \(error)")
    }
    // Whatever is accepted is what the rest of DriverDesk relies on.
    for record in records {
        precondition((try? Plate(record.plate.text)) == record.plate, "plate \(record.plate)")
        precondition((4...5).contains(record.code.count) && record.code.allSatisfy(\.isASCII), "code \(record.code)")
        precondition(record.fineFen.map { $0 >= 0 && $0 <= 10_000_000 } ?? true, "fine \(String(describing: record.fineFen))")
        precondition(record.points.map { [0, 1, 3, 6, 9, 12].contains($0) } ?? true, "points \(String(describing: record.points))")
        precondition(record.occurredAt.timeIntervalSince(now) <= 86_400, "a time in the future")
        precondition(record.location.map { $0.count <= 200 } ?? true, "location too long")
        precondition(record.recordNo.map { $0.count <= 60 } ?? true, "record number too long")
        precondition(record.line >= 2, "a record on the header line")
    }
    return 0
}
