import DriverDeskCore
import Foundation
import Testing

/// Registrations planned at check-in: whom `RegistrationPlan.suggest` puts first, why, and whom it refuses (R3, R13).
@Suite("Registrations planned at check-in (R3, R13)")
struct RegistrationPlanTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    let limits = RegistrationLimits()
    let checked: Set<MovementPurpose> = [.roadTest, .delivery, .pickup, .other]
    var today: CivilDate { CivilDate(year: 2026, month: 11, day: 20)! }
    func at(_ text: String) -> Date { try! time.parse(text, field: "at", now: Date()) }

    func staff(_ id: Int64, _ name: String, _ licence: LicenseClass = .C1, validUntil: CivilDate = CivilDate(year: 2031, month: 5, day: 20)!, active: Bool = true) -> Staff {
        Staff(id: id, name: name, idNumber: "110105198803124111", licenseClass: licence, licenseFirstIssued: CivilDate(year: 2009, month: 5, day: 20)!,
              licenseValidUntil: validUntil, phone: nil, active: active, createdAt: Date())
    }
    func car(size: VehicleSize = .small, usage: VehicleUsage = .private) -> Vehicle {
        Vehicle(id: 9, plate: "京A12345", ownerName: "张伟", ownerPhone: nil, engineLast6: nil, usage: usage, size: size, createdAt: Date())
    }
    func fact(_ ref: String, _ plate: String, _ status: RegistrationStatus, activated: String? = nil, staff: String = "王磊") -> RegistrationFact {
        RegistrationFact(ref: ref, plate: plate, staffName: staff, status: status, invitedAt: at("2026-01-05 09:00"), activatedAt: activated.map(at))
    }
    func suggest(_ candidates: [RegistrationPlan.Candidate], car: Vehicle? = nil, onCar: [RegistrationFact] = [], purposes: [MovementPurpose] = [.roadTest]) -> RegistrationPlan.Answer {
        RegistrationPlan.suggest(vehicle: car ?? self.car(), purposes: purposes, candidates: candidates, vehicleRegistrations: onCar,
                                 today: today, limits: limits, checkedPurposes: checked, time: time)
    }

    @Test("Given three who may all be registered, when the plan ranks them, then on shift comes first, then the most active slots, then the most of the year's")
    func ranking() throws {
        let busy = RegistrationPlan.Candidate(staff: staff(1, "王磊"), registrations: [fact("INV-AAAA-0001", "沪B1", .active, activated: "2026-03-01 10:00")], onShift: true)
        let free = RegistrationPlan.Candidate(staff: staff(2, "李强"), registrations: [], onShift: true)
        let yearUsed = RegistrationPlan.Candidate(staff: staff(3, "张三"), registrations: [fact("INV-CCCC-0001", "沪C1", .removed, activated: "2026-02-01 10:00", staff: "张三")], onShift: true)
        let away = RegistrationPlan.Candidate(staff: staff(4, "赵六"), registrations: [], onShift: false)
        let answer = suggest([away, busy, yearUsed, free])
        #expect(answer.suggested.map(\.staff.name) == ["李强", "张三", "王磊", "赵六"])
        #expect(answer.suggested.map(\.activeLeft) == [3, 3, 2, 3])
        #expect(answer.suggested.map(\.yearLeft) == [5, 4, 4, 5])
        #expect(answer.cannotRegister.isEmpty && answer.alreadyRegistered.isEmpty)
        #expect(answer.method == .qr && answer.driversLeft == 3)
        // Each suggestion says why: his slots, his licence, whether he is on shift.
        #expect(answer.suggested.first?.reasons.map(\.code) == ["plan.slotsLeft", "plan.licenceFits", "plan.onShift"])
        #expect(answer.suggested.first?.reasons.first?.arguments["active"] == .number(3) && answer.suggested.first?.reasons.first?.arguments["year"] == .number(5))
        try #require(answer.suggested.count == 4)
        #expect(answer.suggested[3].reasons.map(\.code).contains("plan.notOnShift"))
    }

    @Test("A licence that covers the car outright ranks before an automatic-only C2, which comes with its warning")
    func licenceFits() throws {
        let c2 = RegistrationPlan.Candidate(staff: staff(1, "王磊", .C2), registrations: [], onShift: true)
        let c1 = RegistrationPlan.Candidate(staff: staff(2, "李强", .C1), registrations: [fact("INV-AAAA-0001", "沪B1", .active, activated: "2026-03-01 10:00", staff: "李强")], onShift: true)
        let answer = suggest([c2, c1])
        #expect(answer.suggested.map(\.staff.name) == ["李强", "王磊"])
        try #require(answer.suggested.count == 2)
        #expect(answer.suggested[1].licence == .automaticOnly)
        #expect(answer.suggested[1].reasons.map(\.code).contains("driving.automaticOnly"))
        #expect(!answer.suggested[1].reasons.map(\.code).contains("plan.licenceFits"))
    }

    @Test("One whose daily registration is used comes after those who can be confirmed today, with the date to confirm from")
    func dayUsed() throws {
        let today = RegistrationPlan.Candidate(staff: staff(1, "王磊"), registrations: [fact("INV-AAAA-0001", "沪B1", .active, activated: "2026-11-20 08:00")], onShift: true)
        let other = RegistrationPlan.Candidate(staff: staff(2, "李强"), registrations: [fact("INV-BBBB-0001", "沪B2", .active, activated: "2026-03-01 10:00", staff: "李强"),
                                                                                  fact("INV-BBBB-0002", "沪B3", .active, activated: "2026-04-01 10:00", staff: "李强")], onShift: true)
        let answer = suggest([today, other])
        #expect(answer.suggested.map(\.staff.name) == ["李强", "王磊"])
        try #require(answer.suggested.count == 2)
        #expect(answer.suggested[1].todayLeft == 0)
        #expect(answer.suggested[1].reasons.map(\.code).contains("registration.waitForTomorrow"))
    }

    @Test("Each refusal comes with its reason: three active, five this year, the car's three drivers, a licence expired, a class that does not cover a large car, an inactive staff member")
    func refusals() {
        let full = RegistrationPlan.Candidate(staff: staff(1, "王磊"), registrations: (1...3).map { fact("INV-AAAA-000\($0)", "沪B\($0)", .active, activated: "2026-0\($0)-01 10:00") }, onShift: true)
        let yearFull = RegistrationPlan.Candidate(staff: staff(2, "李强"), registrations: (1...5).map { fact("INV-BBBB-000\($0)", "沪C\($0)", .removed, activated: "2026-0\($0)-02 10:00", staff: "李强") }, onShift: true)
        let expired = RegistrationPlan.Candidate(staff: staff(3, "张三", validUntil: CivilDate(year: 2026, month: 11, day: 1)!), registrations: [], onShift: true)
        let inactive = RegistrationPlan.Candidate(staff: staff(4, "李四", active: false), registrations: [], onShift: false)
        let answer = suggest([full, yearFull, expired, inactive])
        #expect(answer.suggested.isEmpty)
        let byName = Dictionary(uniqueKeysWithValues: answer.cannotRegister.map { ($0.staff.name, $0) })
        #expect(byName["王磊"]?.reasons.map(\.code) == ["registration.staffFull"] && byName["王磊"]?.rules == ["R3"])
        #expect(byName["李强"]?.reasons.map(\.code) == ["registration.yearFull"])
        // The expired licence is said once, by R3, though R13 refuses too.
        #expect(byName["张三"]?.reasons.map(\.code) == ["registration.licenceExpired"] && byName["张三"]?.rules == ["R3", "R13"])
        #expect(byName["李四"]?.reasons.map(\.code) == ["registration.staffInactive"])

        let onCar = ["甲", "乙", "丙"].enumerated().map { fact("INV-CCCC-000\($0.offset)", "京A12345", .active, activated: "2026-05-01 10:00", staff: $0.element) }
        let carFull = suggest([RegistrationPlan.Candidate(staff: staff(5, "赵六"), registrations: [], onShift: true)], onCar: onCar)
        #expect(carFull.cannotRegister.first?.reasons.map(\.code) == ["registration.vehicleFull"] && carFull.driversLeft == 0)

        // A large car: C1 does not cover it (R13 for a road test); the window is the only method (R3).
        let large = suggest([RegistrationPlan.Candidate(staff: staff(6, "钱七", .C1), registrations: [], onShift: true),
                             RegistrationPlan.Candidate(staff: staff(7, "孙八", .B2), registrations: [], onShift: true)], car: car(size: .large))
        #expect(large.method == .window)
        #expect(large.cannotRegister.map(\.staff.name) == ["钱七"] && large.cannotRegister.first?.reasons.map(\.code) == ["driving.classDoesNotCover"])
        #expect(large.cannotRegister.first?.rules == ["R13"])
        #expect(large.suggested.map(\.staff.name) == ["孙八"])
    }

    @Test("Parking inside the premises is not checked by R13: a class that does not cover the car is a warning, not a refusal")
    func parkingOnlyWarns() {
        let answer = suggest([RegistrationPlan.Candidate(staff: staff(1, "王磊", .C1), registrations: [], onShift: true)], car: car(size: .large), purposes: [.parking])
        #expect(answer.cannotRegister.isEmpty)
        #expect(answer.suggested.first?.reasons.map(\.code).contains("driving.onlyWarned") == true)
    }

    @Test("A staff member who already has a registration or an invite on the car needs none, and says so")
    func alreadyRegistered() {
        let mine = fact("INV-AAAA-0001", "京A12345", .invited)
        let answer = suggest([RegistrationPlan.Candidate(staff: staff(1, "王磊"), registrations: [mine], onShift: true),
                              RegistrationPlan.Candidate(staff: staff(2, "李强"), registrations: [], onShift: true)], onCar: [mine])
        #expect(answer.alreadyRegistered.map(\.staff.name) == ["王磊"])
        #expect(answer.alreadyRegistered.first?.reason.code == "plan.alreadyRegistered" && answer.alreadyRegistered.first?.ref == "INV-AAAA-0001")
        #expect(answer.suggested.map(\.staff.name) == ["李强"] && answer.driversLeft == 2)
    }

    @Test("A road test needs a driver until one who may take it holds an active registration on the car")
    func needsDriver() {
        let wang = staff(1, "王磊"), old = staff(2, "李强", validUntil: CivilDate(year: 2026, month: 1, day: 1)!)
        #expect(RegistrationPlan.needsDriver(purposes: [.roadTest], vehicle: car(), registeredDrivers: [], day: today, checkedPurposes: checked))
        #expect(RegistrationPlan.needsDriver(purposes: [.roadTest], vehicle: car(), registeredDrivers: [(wang, .invited)], day: today, checkedPurposes: checked))
        #expect(RegistrationPlan.needsDriver(purposes: [.roadTest], vehicle: car(), registeredDrivers: [(old, .active)], day: today, checkedPurposes: checked))
        #expect(!RegistrationPlan.needsDriver(purposes: [.roadTest], vehicle: car(), registeredDrivers: [(wang, .active)], day: today, checkedPurposes: checked))
        #expect(!RegistrationPlan.needsDriver(purposes: [.parking], vehicle: car(), registeredDrivers: [], day: today, checkedPurposes: checked))
    }

    @Test("The plan's purposes: repeated or comma-separated, repeats dropped; an unknown one names the field")
    func purposes() throws {
        #expect(try RegistrationPlan.purposes(["road-test,delivery", "road-test"]) == [.roadTest, .delivery])
        #expect(throws: DeskError.self) { try RegistrationPlan.purposes(["road-trip"]) }
        do { _ = try RegistrationPlan.purposes(["road-test,,"]) } catch let error as DeskError { #expect(error.field == "plan") }
    }
}
