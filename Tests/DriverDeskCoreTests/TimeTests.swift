import DriverDeskCore
import Foundation
import Testing

@Suite("Times in the shop's zone (R10)")
struct TimeTests {
    let shanghai = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    let now = Date(timeIntervalSince1970: 1_795_680_000)  // 2026-11-26 08:00 UTC = 16:00 in Shanghai

    func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test("every accepted spelling is read in the shop's zone unless it has an offset", arguments: [
        ("2026-11-26 14:05", "2026-11-26T06:05:00Z"),
        ("2026-11-26T14:05", "2026-11-26T06:05:00Z"),
        ("2026-11-26T14:05:00", "2026-11-26T06:05:00Z"),
        ("2026-11-26 14:05:30", "2026-11-26T06:05:30Z"),
        ("2026-11-26 14:05:30.250", "2026-11-26T06:05:30Z"),
        ("2026-11-26T14:05:00+08:00", "2026-11-26T06:05:00Z"),
        ("2026-11-26T14:05:00Z", "2026-11-26T14:05:00Z"),
        ("2026-11-26 14:05 +0000", "2026-11-26T14:05:00Z"),
        ("2026/11/26 9:05", "2026-11-26T01:05:00Z"),
        ("2026-1-5 09:05", "2026-01-05T01:05:00Z"),
        ("2026年11月26日 14:05", "2026-11-26T06:05:00Z"),
        ("14:05", "2026-11-26T06:05:00Z"),
    ])
    func parses(_ input: String, _ expected: String) throws {
        #expect(try shanghai.parse(input, field: "at", now: now) == utc(expected))
    }

    @Test("nonsense is refused naming the field", arguments: [
        "", "yesterday", "2026-11-26", "2026-02-30 10:00", "2026-11-26 24:00", "2026-11-26 10:60", "2026-13-01 10:00",
        "2026-11-26 10:00 +25:00", "2026-11-26 10:00 junk", "26-11-2026 10:00", "0001-01-01 00:00", "9999-01-01 00:00", "1e9",
    ])
    func refuses(_ input: String) {
        #expect {
            try shanghai.parse(input, field: "at", now: now)
        } throws: { ($0 as? DeskError)?.field == "at" }
    }

    @Test("an offset cannot carry a time out of the years the shop's calendar takes (found by the parser hammer)")
    func offsetOutOfRange() throws {
        let utcShop = ShopTime(zone: TimeZone(identifier: "UTC")!)
        #expect(throws: DeskError.self) { try utcShop.parse("1900/1/1 01:15:01+0800", field: "at", now: now) }
        #expect(throws: DeskError.self) { try shanghai.parse("2999-12-31 23:00-08:00", field: "at", now: now) }
        // What is accepted reads back as it is shown.
        let date = try utcShop.parse("1900-01-01 09:15:01+08:00", field: "at", now: now)
        #expect(try utcShop.parse(utcShop.format(date), field: "at", now: now) == date)
    }

    @Test("a bare date is midnight when a range start is asked for")
    func dateOnly() throws {
        #expect(try shanghai.parse("2026-11-26", field: "from", now: now, dateOnly: true) == utc("2026-11-25T16:00:00Z"))
    }

    @Test("formatting is in the shop's zone")
    func formats() {
        let date = utc("2026-11-26T06:05:00Z")
        #expect(shanghai.format(date) == "2026-11-26 14:05")
        #expect(shanghai.formatISO(date) == "2026-11-26T14:05:00+08:00")
        #expect(shanghai.format(date.addingTimeInterval(7)) == "2026-11-26 14:05:07")
        #expect(shanghai.civilDate(of: utc("2026-11-26T16:30:00Z")) == CivilDate(year: 2026, month: 11, day: 27))
    }

    @Test("a zone with summer time resolves local times on both sides of the change")
    func summerTime() throws {
        let berlin = ShopTime(zone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(try berlin.parse("2026-07-01 12:00", field: "at", now: now) == utc("2026-07-01T10:00:00Z"))
        #expect(try berlin.parse("2026-12-01 12:00", field: "at", now: now) == utc("2026-12-01T11:00:00Z"))
        #expect(throws: DeskError.self) { try ShopTime(zoneName: "Mars/Olympus") }
    }

    @Test("calendar days: round trip, leap years, anniversaries")
    func civilDates() throws {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2024, month: 2, day: 29)!.adding(years: 1) == CivilDate(year: 2025, month: 2, day: 28))
        #expect(CivilDate(year: 2026, month: 11, day: 4)!.adding(days: 15).description == "2026-11-19")
        #expect(try CivilDate(parsing: "2026/1/5", field: "date").description == "2026-01-05")
        #expect(throws: DeskError.self) { try CivilDate(parsing: "2026-02-29", field: "date") }
    }

    @Test("future times beyond five minutes are refused")
    func future() throws {
        try Fields.notInFuture(now.addingTimeInterval(60), now: now, field: "at", time: shanghai)
        #expect(throws: DeskError.self) { try Fields.notInFuture(now.addingTimeInterval(3600), now: now, field: "at", time: shanghai) }
    }
}
