import DriverDeskCore
import Foundation
import Testing

@Suite("Fines, late fees and scoring cycles (R6, R7)")
struct FeeTests {
    let fees = FeeRules()
    let nov4 = CivilDate(year: 2026, month: 11, day: 4)!

    @Test("processed on 4 November: due on 19 November")
    func due() { #expect(fees.dueDate(processedOn: nov4).description == "2026-11-19") }

    @Test("a 200-yuan fine: 25 days late is 150 more; 45 days late is capped at 200", arguments: [
        ("2026-11-19", 0), ("2026-11-20", 600), ("2026-12-14", 15_000), ("2026-12-22", 19_800), ("2026-12-23", 20_000), ("2027-01-03", 20_000),
    ])
    func lateFee(_ paid: String, _ fee: Int) throws {
        #expect(fees.lateFee(fineFen: 20_000, processedOn: nov4, on: try CivilDate(parsing: paid, field: "d")) == fee)
    }

    @Test("money is parsed exactly and shown in yuan")
    func money() throws {
        #expect(try Money.fen("200", field: "f") == 20_000)
        #expect(try Money.fen("¥1,000.50", field: "f") == 100_050)
        #expect(try Money.fen("200元", field: "f") == 20_000)
        #expect(try Money.fen("0.05", field: "f") == 5)
        #expect(try Money.fen("12,345", field: "f") == 1_234_500)
        for bad in ["-5", "200.005", "abc", "", "1e3", "99999999", "1,5", "0,5", "1,0,0", "2,00", ",200", "200,", "1,0000"] {
            #expect(throws: DeskError.self) { try Money.fen(bad, field: "f") }
        }
        #expect(Money.yuan(15_000) == "150")
        #expect(Money.yuan(15_050) == "150.5")
        #expect(Money.yuan(15_005) == "150.05")
        #expect(Money.yuan(15_055) == "150.55")
        #expect(try Money.points("3分", field: "p") == 3)
        #expect(throws: DeskError.self) { try Money.points("2", field: "p") }
    }

    @Test("the scoring cycle runs from the anniversary of the first issue")
    func cycle() {
        let first = CivilDate(year: 2009, month: 5, day: 20)!
        let inside = ScoringCycle.cycle(firstIssued: first, containing: CivilDate(year: 2026, month: 11, day: 26)!)
        #expect(inside.start.description == "2026-05-20")
        #expect(inside.end.description == "2027-05-19")
        let before = ScoringCycle.cycle(firstIssued: first, containing: CivilDate(year: 2026, month: 5, day: 19)!)
        #expect(before.start.description == "2025-05-20")
        let leap = ScoringCycle.cycle(firstIssued: CivilDate(year: 2012, month: 2, day: 29)!, containing: CivilDate(year: 2026, month: 3, day: 1)!)
        #expect(leap.start.description == "2026-02-28")
    }

    @Test("the cycle of each of the 366 anniversaries is the rule's for every licence first issued on that day, whatever the year")
    func anniversaries() {
        for today in ["2026-12-07", "2028-02-29", "2027-02-28", "2027-03-01", "2026-01-01", "2026-12-31"].map({ try! CivilDate(parsing: $0, field: "day") }) {
            let cycles = ScoringCycle.cycles(containing: today)
            #expect(cycles.count == 366)
            var byDay: [Int: (start: CivilDate, end: CivilDate)] = [:]
            for cycle in cycles { byDay[cycle.month * 100 + cycle.day] = (cycle.start, cycle.end) }
            #expect(byDay.count == 366)
            // Every licence first issued in the 30 years up to today, including today.
            var issued = today.adding(years: -30)
            while issued <= today {
                let rule = ScoringCycle.cycle(firstIssued: issued, containing: today)
                let table = byDay[issued.month * 100 + issued.day]
                #expect(table?.start == rule.start && table?.end == rule.end, "first issued \(issued), today \(today): \(String(describing: table)) against \(rule)")
                #expect(rule.start <= today && today <= rule.end)
                issued = issued.adding(days: 1)
            }
        }
    }
}

@Suite("Channel (R4) and proxy watch (R5)")
struct ChannelTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    func at(_ text: String) -> Date { try! time.parse(text, field: "at", now: Date()) }
    var wang: Staff {
        Staff(id: 1, name: "王磊", idNumber: "110105198803124111", licenseClass: .C1, licenseFirstIssued: CivilDate(year: 2009, month: 5, day: 20)!,
              licenseValidUntil: CivilDate(year: 2031, month: 5, day: 20)!, phone: nil, createdAt: Date())
    }
    func registration(activated: String?, status: RegistrationStatus = .active) -> RegistrationFact {
        RegistrationFact(ref: "INV-AAAA-BBBB", plate: "京A12345", staffName: "王磊", status: status, invitedAt: at("2026-10-01 09:00"), activatedAt: activated.map(at))
    }
    func decide(points: Int = 1, fine: Int = 20_000, registration: RegistrationFact?, cycle: Int = 0, driver: Staff? = nil,
                day: String = "2026-11-05", settings: ChannelSettings = ChannelSettings()) -> ChannelDecision {
        ChannelRules.decide(ChannelCase(plate: "京A12345", occurredAt: at("2026-11-02 10:12"), points: points, fineFen: fine, driver: driver ?? wang,
                                        registration: registration, pointsThisCycle: cycle),
                            processingOn: try! CivilDate(parsing: day, field: "d"), settings: settings, time: time)
    }

    @Test("registered before, within the simplified procedure: online")
    func online() {
        let decision = decide(registration: registration(activated: "2026-11-01 09:00"))
        #expect(decision.channel == .online)
        #expect(decision.onlineFrom == nil)
    }

    @Test("0 points: online at any time, even with no registration")
    func zeroPoints() {
        #expect(decide(points: 0, registration: nil).channel == .online)
    }

    @Test("every failing rule is listed, not just the first")
    func allReasons() {
        var expired = wang
        expired.licenseValidUntil = CivilDate(year: 2026, month: 11, day: 1)!
        let decision = decide(points: 9, fine: 50_000, registration: registration(activated: "2026-11-03 09:00"), cycle: 6, driver: expired)
        #expect(decision.channel == .window)
        #expect(decision.reasons.map(\.code) == ["channel.registrationAfterViolation", "channel.fineOverLimit", "channel.pointsOverLimit",
                                                   "channel.licenceExpired", "channel.cycleFull", "channel.windowDocuments"])
        #expect(decision.reasons[0].arguments["setting"] == .text("rules.registrationMustPrecedeViolation"))
        #expect(decision.reasons[1].arguments["fine"] == .fen(50_000) && decision.reasons[1].arguments["limit"] == .fen(20_000))
        #expect(decision.reasons[2].arguments["points"] == .number(9) && decision.reasons[2].arguments["below"] == .number(9))
        #expect(decision.reasons[3].arguments["expired"] == .day(CivilDate(year: 2026, month: 11, day: 1)!))
        #expect(decision.reasons[4].arguments["total"] == .number(15) && decision.reasons[4].arguments["max"] == .number(12))
    }

    @Test("late registration counts when the shop follows the stories (rule off, within 7 days)")
    func lateRegistration() {
        var settings = ChannelSettings()
        settings.registrationMustPrecedeViolation = false
        #expect(decide(registration: registration(activated: "2026-11-05 09:00"), day: "2026-11-06", settings: settings).channel == .online)
        #expect(decide(registration: registration(activated: "2026-11-10 09:00"), day: "2026-11-11", settings: settings).channel == .window)
        let missing = decide(registration: nil, settings: settings)
        #expect(missing.channel == .window)
        #expect(missing.registrationWouldHelp)
    }

    @Test("processing on the day of binding: online from the next day")
    func sameDay() {
        var settings = ChannelSettings()
        settings.registrationMustPrecedeViolation = false
        let decision = decide(registration: registration(activated: "2026-11-05 09:00"), day: "2026-11-05", settings: settings)
        #expect(decision.channel == .online)
        #expect(decision.onlineFrom?.description == "2026-11-06")
    }

    @Test("proxy watch warns at the third plate and the third driver")
    func proxy() {
        #expect(ProxyWatch.warnings(driver: "王磊", plate: "京A1", driverPlates: ["沪B1"], plateDrivers: [], platesLimit: 3, driversLimit: 3).isEmpty)
        #expect(ProxyWatch.warnings(driver: "王磊", plate: "京A1", driverPlates: ["沪B1", "粤C1"], plateDrivers: [], platesLimit: 3, driversLimit: 3).count == 1)
        #expect(ProxyWatch.warnings(driver: "王磊", plate: "京A1", driverPlates: [], plateDrivers: ["李强", "张伟"], platesLimit: 3, driversLimit: 3)
                == [Message("proxy.plateDrivers", ["plate": .text("京A1"), "count": .number(3), "drivers": .names(["张伟", "李强", "王磊"]), "limit": .number(3)])])
        #expect(FeeRules.paymentWarnings(paidFen: 20_000, fineFen: 20_000, lateFeeFen: 0, on: CivilDate(year: 2026, month: 11, day: 20)!).isEmpty)
        #expect(FeeRules.paymentWarnings(paidFen: 20_000, fineFen: 20_000, lateFeeFen: 600, on: CivilDate(year: 2026, month: 11, day: 20)!).first?.arguments["due"] == .fen(20_600))
    }

    @Test("next actions group violations for the desk")
    func nextAction() {
        let today = CivilDate(year: 2026, month: 11, day: 26)!
        #expect(NextAction.of(status: .open, attribution: .unattributed, needsReview: true, hasDriver: false, channel: nil, registrationMissing: false, dueDate: nil, today: today) == .review)
        #expect(NextAction.of(status: .open, attribution: .movement, needsReview: false, hasDriver: true, channel: .online, registrationMissing: false, dueDate: nil, today: today) == .process)
        #expect(NextAction.of(status: .open, attribution: .movement, needsReview: false, hasDriver: true, channel: .window, registrationMissing: true, dueDate: nil, today: today) == .invite)
        #expect(NextAction.of(status: .processed, attribution: .movement, needsReview: false, hasDriver: true, channel: nil, registrationMissing: false, dueDate: CivilDate(year: 2026, month: 11, day: 20), today: today) == .overdue)
        #expect(NextAction.of(status: .open, attribution: .outsideCustody, needsReview: false, hasDriver: false, channel: nil, registrationMissing: false, dueDate: nil, today: today) == NextAction.none)
    }
}

@Suite("Cleanup plan (R9)")
struct CleanupPlanTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    func at(_ text: String) -> Date { try! time.parse(text, field: "at", now: Date()) }

    @Test("expires old invites, schedules stale registrations, reminds, lists stale visits and fees")
    func plan() {
        let facts = CleanupFacts(
            registrations: [
                .init(ref: "INV-0000-0001", plate: "京A1", staff: "王磊", status: .invited, invitedAt: at("2026-11-10 09:00"), removalDueAt: nil, leftCustodyAt: nil, inShop: true, hasUnpaidViolation: false),
                .init(ref: "INV-0000-0002", plate: "京A2", staff: "王磊", status: .invited, invitedAt: at("2026-11-20 09:00"), removalDueAt: nil, leftCustodyAt: nil, inShop: true, hasUnpaidViolation: false),
                .init(ref: "INV-0000-0003", plate: "京A3", staff: "李强", status: .active, invitedAt: at("2026-10-01 09:00"), removalDueAt: nil, leftCustodyAt: at("2026-11-20 09:00"), inShop: false, hasUnpaidViolation: false),
                .init(ref: "INV-0000-0004", plate: "京A4", staff: "李强", status: .active, invitedAt: at("2026-10-01 09:00"), removalDueAt: nil, leftCustodyAt: at("2026-11-20 09:00"), inShop: false, hasUnpaidViolation: true),
                .init(ref: "INV-0000-0005", plate: "京A5", staff: "李强", status: .active, invitedAt: at("2026-10-01 09:00"), removalDueAt: nil, leftCustodyAt: at("2026-11-25 09:00"), inShop: false, hasUnpaidViolation: false),
                .init(ref: "INV-0000-0006", plate: "京A6", staff: "张伟", status: .removalDue, invitedAt: at("2026-10-01 09:00"), removalDueAt: at("2026-11-25 09:00"), leftCustodyAt: nil, inShop: false, hasUnpaidViolation: false),
            ],
            openVisits: [.init(plate: "京A7", checkinAt: at("2026-10-01 09:00")), .init(plate: "京A8", checkinAt: at("2026-11-20 09:00"))],
            unpaidFines: [
                .init(violationId: 1, plate: "京A1", staff: "王磊", fineFen: 20_000, processedAt: at("2026-11-12 09:00")),
                .init(violationId: 2, plate: "京A2", staff: "王磊", fineFen: 20_000, processedAt: at("2026-11-01 09:00")),
                .init(violationId: 3, plate: "京A3", staff: "王磊", fineFen: 20_000, processedAt: at("2026-11-25 09:00")),
            ])
        let plan = CleanupRules.plan(facts, now: at("2026-11-26 10:00"), settings: CleanupRules.Settings(Config()), time: time)
        #expect(plan.expire == ["INV-0000-0001"])
        #expect(plan.removalDue == ["INV-0000-0003"])
        #expect(plan.actions.map(\.kind) == [.inviteExpired, .removalDue, .removalReminder, .visitStale, .feeDueSoon, .feeOverdue])
        let overdue = plan.actions.first { $0.kind == .feeOverdue }?.message
        #expect(overdue?.code == "cleanup.feeOverdue" && overdue?.arguments["fee"] == .fen(6_000) && overdue?.arguments["total"] == .fen(26_000)
                && overdue?.arguments["days"] == .days(10))
        // Due soon names the shop's own daily rate, not a fixed 3%.
        var settings = CleanupRules.Settings(Config())
        settings.fees.percentPerDay = 5
        let soon = CleanupRules.plan(facts, now: at("2026-11-26 10:00"), settings: settings, time: time).actions.first { $0.kind == .feeDueSoon }?.message
        #expect(soon?.arguments["percent"] == .number(5) && soon?.arguments["days"] == .days(1))
    }

    @Test("one definition of a stale visit and of an invite's last day")
    func windows() {
        // More than visit.staleDays calendar days in the shop, whatever the hour.
        #expect(!VisitRules.isStale(checkinAt: at("2026-10-27 23:59"), now: at("2026-11-26 00:01"), staleDays: 30, time: time))
        #expect(VisitRules.isStale(checkinAt: at("2026-10-26 23:59"), now: at("2026-11-26 00:01"), staleDays: 30, time: time))
        #expect(VisitRules.daysInShop(checkinAt: at("2026-11-25 23:00"), now: at("2026-11-26 01:00"), time: time) == 1)
        #expect(InviteRules.expiresOn(invitedAt: at("2026-11-20 23:30"), expiryDays: 7, time: time) == CivilDate(year: 2026, month: 11, day: 27)!)
    }
}
