// libFuzzer target: ShopTime.parse and CivilDate(parsing:) (R10). See scripts/fuzz.sh.
import DriverDeskCore
import Foundation

/// Static, so lazily made: with the fuzzer sanitizer this file is a library and has no top-level code.
enum Fixture {
    static let shanghai = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    static let utc = ShopTime(zone: TimeZone(identifier: "UTC")!)
    static let now = Date(timeIntervalSince1970: 1_795_147_200)  // 2026-11-20 12:00 +08:00
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let (shanghai, utc, now) = (Fixture.shanghai, Fixture.utc, Fixture.now)
    _ = try? CivilDate(parsing: text, field: "date")
    _ = try? shanghai.parse(text, field: "at", now: now, dateOnly: true)
    if let date = try? shanghai.parse(text, field: "at", now: now) {
        _ = shanghai.format(date)
        _ = shanghai.formatISO(date)
    }
    // In UTC (no daylight saving) what is accepted formats and reads back to the same instant.
    if let date = try? utc.parse(text, field: "at", now: now) {
        let shown = utc.format(date)
        let again = try? utc.parse(shown, field: "at", now: now)
        precondition(again.map { abs($0.timeIntervalSince(date)) < 1 } == true, "\(text) → \(shown) does not read back")
    }
    return 0
}
