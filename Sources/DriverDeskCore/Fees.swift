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

}
