import DriverDeskCore
import Foundation
import Testing

@Suite("Registration limits (R3)")
struct RegistrationRulesTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    let limits = RegistrationLimits()
    func at(_ text: String) -> Date { try! time.parse(text, field: "at", now: Date()) }
    var today: CivilDate { CivilDate(year: 2026, month: 11, day: 20)! }

    var wang: Staff {
        Staff(id: 1, name: "王磊", idNumber: "110105198803124111", licenseClass: .C1, licenseFirstIssued: CivilDate(year: 2009, month: 5, day: 20)!,
              licenseValidUntil: CivilDate(year: 2031, month: 5, day: 20)!, phone: nil, createdAt: Date())
    }
    func car(_ plate: String = "京A12345", usage: VehicleUsage = .private, size: VehicleSize = .small, engine: String? = "A1B2C3") -> Vehicle {
        Vehicle(id: 1, plate: plate, ownerName: "张伟", ownerPhone: nil, engineLast6: engine, usage: usage, size: size, createdAt: Date())
    }
    func fact(_ ref: String, _ plate: String, _ status: RegistrationStatus, activated: String? = nil, staff: String = "王磊") -> RegistrationFact {
        RegistrationFact(ref: ref, plate: plate, staffName: staff, status: status, invitedAt: at("2026-01-01 09:00"), activatedAt: activated.map(at))
    }
    func invite(_ method: RegistrationMethod = .qr, vehicle: Vehicle? = nil, staff: Staff? = nil, mine: [RegistrationFact] = [], car: [RegistrationFact] = [], on day: CivilDate? = nil) throws -> [Message] {
        try RegistrationRules.checkInvite(method: method, vehicle: vehicle ?? self.car(), staff: staff ?? wang, staffRegistrations: mine,
                                          vehicleRegistrations: car, today: day ?? today, limits: limits, time: time)
    }
    /// The one reason of a refusal, with its rule; nil when nothing was refused.
    func refusal(_ body: () throws -> Any) -> (rule: String, reason: Message)? {
        do { _ = try body() } catch let error as DeskError {
            if case .refusedWith(let rule, let reasons) = error, reasons.count == 1 { return (rule, reasons[0]) }
        } catch {}
        return nil
    }
    func code(_ body: () throws -> Any) -> String? { refusal(body)?.reason.code }

    @Test("A fourth registration at once is refused, naming the three")
    func fourthActive() {
        let mine = [fact("INV-AAAA-0001", "沪B1", .active, activated: "2026-03-01 10:00"), fact("INV-AAAA-0002", "沪B2", .removalDue, activated: "2026-04-01 10:00"),
                    fact("INV-AAAA-0003", "沪B3", .invited)]
        let refused = refusal { try invite(mine: mine) }
        #expect(refused?.rule == "R3")
        #expect(refused?.reason == Message("registration.staffFull", ["staff": .text("王磊"), "count": .number(3), "limit": .number(3),
                                                                      "registrations": .names(["沪B1 INV-AAAA-0001", "沪B2 INV-AAAA-0002", "沪B3 INV-AAAA-0003"])]))
    }

    @Test("A fourth driver on one car is refused")
    func fourthDriver() {
        let onCar = ["李强", "张三", "李四"].enumerated().map { fact("INV-BBBB-000\($0.offset)", "京A12345", .active, activated: "2026-05-01 10:00", staff: $0.element) }
        let refused = refusal { try invite(car: onCar) }
        #expect(refused?.reason.code == "registration.vehicleFull")
        #expect(refused?.reason.arguments["count"] == .number(3) && refused?.reason.arguments["limit"] == .number(3))
    }

    @Test("A sixth in a calendar year is refused with the date it becomes possible, unless that date is within the invite's life")
    func sixthInYear() throws {
        let mine = (1...5).map { fact("INV-CCCC-000\($0)", "沪C\($0)", .removed, activated: "2026-0\($0)-10 10:00") }
        let refused = refusal { try invite(mine: mine) }
        #expect(refused?.reason.code == "registration.yearFull" && refused?.reason.arguments["next"] == .day(CivilDate(year: 2027, month: 1, day: 1)!))
        let lateDecember = try invite(mine: mine, on: CivilDate(year: 2026, month: 12, day: 28)!)
        #expect(lateDecember.map(\.code) == ["registration.waitForNextYear"])
        #expect(lateDecember.first?.arguments["next"] == .day(CivilDate(year: 2027, month: 1, day: 1)!))
    }

    @Test("An invite on a day already used must wait for tomorrow: allowed, with a warning")
    func secondToday() throws {
        let mine = [fact("INV-DDDD-0001", "沪D1", .active, activated: "2026-11-20 09:30")]
        #expect(try invite(mine: mine) == [Message("registration.waitForTomorrow", ["staff": .text("王磊"), "plates": .names(["沪D1"]), "limit": .number(1),
                                                                                     "from": .day(CivilDate(year: 2026, month: 11, day: 21)!)])])
    }

    @Test("An expired licence, a commercial or large car online, SMS without an engine number: refused")
    func eligibility() {
        var expired = wang
        expired.licenseValidUntil = CivilDate(year: 2026, month: 9, day: 9)!
        #expect(refusal { try invite(staff: expired) }?.reason == Message("registration.licenceExpired", ["staff": .text("王磊"), "expired": .day(CivilDate(year: 2026, month: 9, day: 9)!)]))
        #expect(code { try invite(.qr, vehicle: car(usage: .commercial)) } == "registration.commercialOnline")
        #expect(code { try invite(.sms, vehicle: car(size: .large)) } == "registration.largeOnline")
        #expect(code { try invite(.sms, vehicle: car(engine: nil)) } == "registration.smsNeedsEngine")
        #expect((try? invite(.window, vehicle: car(usage: .commercial))) != nil)
        #expect(RegistrationRules.defaultMethod(for: car(usage: .commercial)) == .window)
        #expect(RegistrationRules.defaultMethod(for: car()) == .qr)
    }

    @Test("Confirming: a second on one day, an expired invite, an already active or removed one: refused")
    func confirm() throws {
        let pending = fact("INV-EEEE-0001", "京A12345", .invited)
        func confirm(_ registration: RegistrationFact, mine: [RegistrationFact] = [], at when: String = "2026-11-20 15:00", expires: CivilDate? = nil) throws {
            try RegistrationRules.checkConfirm(registration, expiresOn: expires ?? today, staff: wang, plate: "京A12345", staffRegistrations: mine + [registration],
                                               vehicleRegistrations: [registration], at: at(when), limits: limits, time: time)
        }
        try confirm(pending)
        let sameDay = [fact("INV-EEEE-0002", "沪E2", .active, activated: "2026-11-20 09:00")]
        let second = refusal { try confirm(pending, mine: sameDay) }
        #expect(second?.reason.code == "registration.dayFull" && second?.reason.arguments["from"] == .day(CivilDate(year: 2026, month: 11, day: 21)!))
        try confirm(pending, mine: sameDay, at: "2026-11-21 09:00", expires: CivilDate(year: 2026, month: 11, day: 27)!)
        let expired = refusal { try confirm(pending, at: "2026-11-28 09:00", expires: CivilDate(year: 2026, month: 11, day: 27)!) }
        #expect(expired?.rule == "R9" && expired?.reason.code == "registration.inviteExpired"
                && expired?.reason.arguments["expired"] == .day(CivilDate(year: 2026, month: 11, day: 27)!))
        #expect(code { try confirm(fact("INV-EEEE-0003", "京A12345", .active, activated: "2026-11-19 10:00")) } == "registration.alreadyConfirmed")
        #expect(code { try confirm(fact("INV-EEEE-0004", "京A12345", .removed, activated: "2026-11-19 10:00")) } == "registration.ended")
        let year = (1...5).map { fact("INV-FFFF-000\($0)", "沪F\($0)", .removed, activated: "2026-0\($0)-10 10:00") }
        let sixth = refusal { try confirm(pending, mine: year) }
        #expect(sixth?.reason.code == "registration.yearFull" && sixth?.reason.arguments["next"] == .day(CivilDate(year: 2027, month: 1, day: 1)!))
    }

    @Test("Slots count the live registrations, this year's and today's against the limits")
    func slots() {
        let mine = [fact("INV-GGGG-0001", "沪G1", .active, activated: "2026-03-01 10:00"), fact("INV-GGGG-0002", "沪G2", .active, activated: "2026-11-20 10:00"),
                    fact("INV-GGGG-0003", "沪G3", .removed, activated: "2026-05-01 10:00"), fact("INV-GGGG-0004", "沪G4", .removed, activated: "2026-06-01 10:00")]
        let slots = RegistrationRules.slots(mine, on: today, limits: limits, time: time)
        #expect(slots == SlotSummary(active: 2, activeLimit: 3, pending: 0, thisYear: 4, yearLimit: 5, today: 1, dayLimit: 1))
        let lastYear = [fact("INV-GGGG-0005", "沪G5", .removed, activated: "2025-12-31 10:00")]
        #expect(RegistrationRules.slots(lastYear, on: today, limits: limits, time: time)
                == SlotSummary(active: 0, activeLimit: 3, pending: 0, thisYear: 0, yearLimit: 5, today: 0, dayLimit: 1))
    }
}

@Suite("Invite references")
struct InviteRefTests {
    @Test("40 random bits in an unambiguous alphabet, formatted INV-XXXX-XXXX")
    func random() {
        var generator = SystemRandomNumberGenerator()
        var seen = Set<String>()
        for _ in 0..<2000 {
            let ref = InviteRef.random(using: &generator)
            #expect(ref.count == 13)
            #expect(ref.hasPrefix("INV-"))
            #expect(ref.dropFirst(4).allSatisfy { $0 == "-" || InviteRef.alphabet.contains($0) })
            #expect(!ref.dropFirst(4).contains { "ILOU".contains($0) })
            seen.insert(ref)
        }
        #expect(seen.count == 2000)
    }

    @Test("found inside any scanned or typed text", arguments: [
        ("INV-7K3Q-9XZP", "INV-7K3Q-9XZP"), ("inv-7k3q-9xzp", "INV-7K3Q-9XZP"), ("INV7K3Q9XZP", "INV-7K3Q-9XZP"),
        ("INV-7K3Q-9XZP\n博远：请车主在交管12123为员工王磊备案", "INV-7K3Q-9XZP"), ("https://desk.example/i/INV-7K3Q-9XZP", "INV-7K3Q-9XZP"),
        ("7K3Q-9XZP", "INV-7K3Q-9XZP"), ("7k3q9xzp", "INV-7K3Q-9XZP"), ("INV-7K3O-9XZP", "INV-7K30-9XZP"), ("INV 7K3Q 9XZL", "INV-7K3Q-9XZ1"),
    ])
    func find(_ text: String, _ expected: String) {
        #expect(InviteRef.find(in: text) == expected)
    }

    @Test("no reference in other text", arguments: ["", "京A12345", "INV-7K3Q", "INVITE", "INV-7K3Q-9XZP9", "hello world 123"])
    func none(_ text: String) {
        #expect(InviteRef.find(in: text) == nil)
    }
}
