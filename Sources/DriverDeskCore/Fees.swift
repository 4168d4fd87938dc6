/// R7: a processed fine is due `dueDays` after processing; each day late adds a percentage, capped at the fine.
public struct FeeRules: Sendable, Equatable {
    public var dueDays: Int
    public var percentPerDay: Int

    public init(dueDays: Int = 15, percentPerDay: Int = 3) {
        self.dueDays = dueDays
        self.percentPerDay = percentPerDay
    }

    public init(_ config: Config) {
        self.init(dueDays: config.int(.feesDueDays), percentPerDay: config.int(.feesLateFeePercentPerDay))
    }

    /// Processed on 4 November: due on 19 November.
    public func dueDate(processedOn day: CivilDate) -> CivilDate { day.adding(days: dueDays) }

    /// Calendar days after the due date.
    public func daysLate(processedOn processed: CivilDate, paidOn day: CivilDate) -> Int {
        max(0, dueDate(processedOn: processed).days(until: day))
    }

    /// The surcharge on `day`: `percentPerDay` (3 by default) of the fine per day late, never more than the fine itself.
    public func lateFee(fineFen: Int, processedOn processed: CivilDate, on day: CivilDate) -> Int {
        min(fineFen, fineFen * percentPerDay * daysLate(processedOn: processed, paidOn: day) / 100)
    }

    /// R7: a payment that differs from what is due is accepted, with a warning naming both.
    public static func paymentWarnings(paidFen: Int, fineFen: Int, lateFeeFen: Int, on day: CivilDate) -> [Message] {
        let due = fineFen + lateFeeFen
        guard paidFen != due else { return [] }
        return [Message("payment.differs", ["paid": .fen(paidFen), "due": .fen(due), "day": .day(day), "fine": .fen(fineFen), "fee": .fen(lateFeeFen)])]
    }
}

/// R6: a 12-month scoring cycle from the anniversary of the licence's first issue.
public enum ScoringCycle {
    /// The first and last day of the cycle that holds `day`.
    public static func cycle(firstIssued: CivilDate, containing day: CivilDate) -> (start: CivilDate, end: CivilDate) {
        var start = firstIssued.adding(years: day.year - firstIssued.year)
        if start > day { start = firstIssued.adding(years: day.year - firstIssued.year - 1) }
        if start < firstIssued { start = firstIssued }
        let years = start.year - firstIssued.year + 1
        return (start, firstIssued.adding(years: years).adding(days: -1))
    }

    /// The cycle that holds `today` for each of the 366 anniversaries a licence can have (month and day, 29 February
    /// among them), as `cycle(firstIssued:containing:)` decides it for any licence first issued on that month and day
    /// up to today (a later first issue is refused when typed). The chain's view hands these to its database, which
    /// then only sums each driver's points in the cycle of his anniversary.
    public static func cycles(containing today: CivilDate) -> [(month: Int, day: Int, start: CivilDate, end: CivilDate)] {
        // The year only matters for 29 February, which the rule moves to 28 February in a common year: any leap year
        // before today stands for every licence of that month and day.
        var year = today.year - 1
        while CivilDate.daysIn(month: 2, year: year) != 29 { year -= 1 }
        var cycles: [(month: Int, day: Int, start: CivilDate, end: CivilDate)] = []
        for month in 1...12 {
            for day in 1...CivilDate.daysIn(month: month, year: year) {
                let cycle = cycle(firstIssued: CivilDate(unchecked: year, month, day), containing: today)
                cycles.append((month, day, cycle.start, cycle.end))
            }
        }
        return cycles
    }
}
