import Foundation

/// Times as the shop sees them: input without an offset is in the shop's zone (R10), output is too.
public struct ShopTime: Sendable {
    public let zone: TimeZone

    public init(zone: TimeZone) {
        self.zone = zone
    }

    /// Parses a zone name such as `Asia/Shanghai`; throws `.invalid` naming `field`.
    public init(zoneName: String, field: String = "shop.timeZone") throws {
        guard let zone = TimeZone(identifier: zoneName.trimmingSpaces()) else {
            throw DeskError.invalid(field: field, reason: Message("input.timeZone", ["raw": .text(zoneName)]))
        }
        self.zone = zone
    }

    /// Parses `2026-11-26 14:05`, `2026-11-26T14:05:00`, `2026-11-26 14:05:00+08:00`, `2026/11/26 9:05`,
    /// or a bare `14:05` meaning that time on the day of `now`.
    ///
    /// `dateOnly` allows `2026-11-26` (midnight, for the start of a range).
    public func parse(_ raw: String, field: String, now: Date, dateOnly: Bool = false) throws -> Date {
        let text = raw.trimmingSpaces()
        guard !text.isEmpty else { throw DeskError.invalid(field: field, reason: Message("input.time.required")) }
        var scanner = TimeScanner(text)
        let day: CivilDate
        var clock = (hour: 0, minute: 0, second: 0)
        if let date = scanner.date() {
            guard (1900...2999).contains(date.year), let valid = CivilDate(year: date.year, month: date.month, day: date.day) else {
                throw DeskError.invalid(field: field, reason: Message("input.time.noSuchDate", ["raw": .text(raw)]))
            }
            day = valid
            if scanner.isAtEnd {
                guard dateOnly else { throw DeskError.invalid(field: field, reason: Message("input.time.noClock", ["raw": .text(raw)])) }
            } else {
                if !scanner.consume("T") && !scanner.consume("t") {
                    guard scanner.consume(" ") else { throw DeskError.invalid(field: field, reason: Message("input.time.malformed", ["raw": .text(raw)])) }
                    scanner.skipSpaces()
                }
                guard let time = scanner.timeOfDay() else {
                    throw DeskError.invalid(field: field, reason: Message("input.time.malformed", ["raw": .text(raw)]))
                }
                clock = time
            }
        } else {
            var bare = TimeScanner(text)
            guard let time = bare.timeOfDay() else {
                throw DeskError.invalid(field: field, reason: Message("input.time.malformed", ["raw": .text(raw)]))
            }
            scanner = bare
            clock = time
            day = civilDate(of: now)
        }
        guard clock.hour < 24, clock.minute < 60, clock.second < 60 else {
            throw DeskError.invalid(field: field, reason: Message("input.time.noSuchClock", ["raw": .text(raw)]))
        }
        scanner.skipSpaces()
        let offset = scanner.offset()
        guard scanner.isAtEnd else { throw DeskError.invalid(field: field, reason: Message("input.time.malformed", ["raw": .text(raw)])) }
        let local = day.daysSinceEpoch * 86_400 + clock.hour * 3600 + clock.minute * 60 + clock.second
        let instant: Date
        switch offset {
        case .none:
            instant = date(localSeconds: local)
        case .some(.none):
            throw DeskError.invalid(field: field, reason: Message("input.time.badOffset", ["raw": .text(raw)]))
        case .some(.some(let seconds)):
            instant = Date(timeIntervalSince1970: TimeInterval(local - seconds))
        }
        // The years are checked again on the shop's calendar: with an offset, 1900-01-01 01:15+08:00 is still 1899 in
        // UTC, and what is accepted must read back as it is shown.
        guard (1900...2999).contains(civilDate(of: instant).year) else {
            throw DeskError.invalid(field: field, reason: Message("input.time.outOfYears", ["raw": .text(raw)]))
        }
        return instant
    }

    /// The instant at which the shop's clocks show `localSeconds` (seconds since 1970-01-01 00:00 local).
    public func date(localSeconds local: Int) -> Date {
        let guess = local - zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess)))
        return Date(timeIntervalSince1970: TimeInterval(local - offset))
    }

    /// Midnight at the start of `day` in the shop's zone.
    public func start(of day: CivilDate) -> Date { date(localSeconds: day.daysSinceEpoch * 86_400) }

    /// The calendar day `date` falls on in the shop's zone.
    public func civilDate(of date: Date) -> CivilDate {
        CivilDate(daysSinceEpoch: floorDiv(localSeconds(date), 86_400))
    }

    func localSeconds(_ date: Date) -> Int {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        return seconds + zone.secondsFromGMT(for: date)
    }

    /// `2026-11-26 14:05` (seconds only when they are not zero).
    public func format(_ date: Date) -> String {
        let local = localSeconds(date)
        let day = CivilDate(daysSinceEpoch: floorDiv(local, 86_400))
        return "\(day) \(clock(local))"
    }

    /// `14:05`, for messages about today.
    public func formatTime(_ date: Date) -> String { clock(localSeconds(date)) }

    /// `2026-11-26T14:05:00+08:00`: for JSON.
    public func formatISO(_ date: Date) -> String {
        let local = localSeconds(date)
        let day = CivilDate(daysSinceEpoch: floorDiv(local, 86_400))
        let secondOfDay = local - floorDiv(local, 86_400) * 86_400
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        return "\(day)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))\(sign)\(two(magnitude / 3600)):\(two(magnitude / 60 % 60))"
    }

    private func clock(_ local: Int) -> String {
        let secondOfDay = local - floorDiv(local, 86_400) * 86_400
        let base = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60))"
        return secondOfDay % 60 == 0 ? base : "\(base):\(two(secondOfDay % 60))"
    }
}

func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
