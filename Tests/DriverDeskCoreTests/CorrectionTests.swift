import DriverDeskCore
import Foundation
import Testing

/// R13 (who may drive), phone numbers (R10), and the corrections: each a pure function of the facts.
@Suite("Corrections, R13 and phone numbers")
struct CorrectionTests {
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    func at(_ text: String) -> Date { try! time.parse(text, field: "at", now: Date()) }
    func day(_ text: String) -> CivilDate { try! CivilDate(parsing: text, field: "day") }
    func driver(_ name: String = "杨帆", licence: LicenseClass = .C1, until: String = "2031-05-20") -> Staff {
        Staff(id: 6, name: name, idNumber: "510107199502213710", licenseClass: licence, licenseFirstIssued: day("2016-09-09"),
              licenseValidUntil: day(until), phone: nil, createdAt: Date(timeIntervalSince1970: 0))
    }
    let checked: Set<MovementPurpose> = [.roadTest, .delivery, .pickup, .other]

    func refusal(_ body: () throws -> Any) -> (rule: String, codes: [String])? {
        do { _ = try body() } catch let error as DeskError {
            if case .refusedWith(let rule, let reasons) = error { return (rule, reasons.map(\.code)) }
            Issue.record("not a refusal: \(error)")
        } catch { Issue.record("not a DeskError: \(error)") }
        return nil
    }

    // MARK: R13

    @Test("an expired licence refuses a road test, the day after it ends and not on its last day")
    func expiredLicence() throws {
        let yang = driver(until: "2026-09-09")
        #expect(try DrivingRules.check(driver: yang, plate: "京A12345", size: .small, purpose: .roadTest, day: day("2026-09-09"), checkedPurposes: checked) == [])
        let refused = refusal { try DrivingRules.check(driver: yang, plate: "京A12345", size: .small, purpose: .roadTest, day: day("2026-09-10"), checkedPurposes: checked) }
        #expect(refused?.rule == "R13" && refused?.codes == ["driving.licenceExpired"])
    }

    @Test("parking inside the premises only warns, with every failure and why it is only a warning")
    func parkingWarns() throws {
        let warnings = try DrivingRules.check(driver: driver(licence: .C3, until: "2026-01-01"), plate: "京A12345", size: .small, purpose: .parking,
                                              day: day("2026-12-07"), checkedPurposes: checked)
        #expect(warnings.map(\.code) == ["driving.licenceExpired", "driving.classDoesNotCover", "driving.onlyWarned"])
    }

    @Test("every failure is listed at once: expired and the wrong class")
    func everyReason() {
        let refused = refusal { try DrivingRules.check(driver: driver(licence: .D, until: "2020-01-01"), plate: "京A12345", size: .small, purpose: .delivery,
                                                      day: day("2026-12-07"), checkedPurposes: checked) }
        #expect(refused?.codes == ["driving.licenceExpired", "driving.classDoesNotCover"])
    }

    @Test("准驾车型: a small car takes C1 and the classes that include it; C2 warns (automatic only); a large car needs A or B")
    func classes() throws {
        for licence in [LicenseClass.A1, .A2, .A3, .B1, .B2, .C1] { #expect(DrivingRules.cover(licence, size: .small) == .covers) }
        #expect(DrivingRules.cover(.C2, size: .small) == .automaticOnly)
        for licence in [LicenseClass.C3, .C4, .C5, .C6, .D, .E, .F, .M, .N, .P] { #expect(DrivingRules.cover(licence, size: .small) == .no) }
        for licence in [LicenseClass.A1, .A2, .A3, .B1, .B2] { #expect(DrivingRules.cover(licence, size: .large) == .covers) }
        for licence in [LicenseClass.C1, .C2] { #expect(DrivingRules.cover(licence, size: .large) == .no) }
        let c2 = try DrivingRules.check(driver: driver(licence: .C2), plate: "京A12345", size: .small, purpose: .roadTest, day: day("2026-12-07"), checkedPurposes: checked)
        #expect(c2.map(\.code) == ["driving.automaticOnly"])
        #expect(refusal { try DrivingRules.check(driver: driver(licence: .C1), plate: "京A12345", size: .large, purpose: .roadTest, day: day("2026-12-07"), checkedPurposes: checked) }?.codes
                == ["driving.classDoesNotCover"])
    }

    @Test("rules.licenceCheckPurposes decides which purposes refuse; the setting takes a list and refuses an unknown purpose")
    func purposesSetting() throws {
        #expect(DrivingRules.checkedPurposes(Config()) == [.roadTest, .delivery, .pickup, .other])
        let setting = try Config.setting("rules.licenceCheckPurposes")
        #expect(try setting.normalise("parking, road-test") == "road-test,parking")
        #expect(try setting.normalise("") == "")
        #expect(throws: DeskError.self) { try setting.normalise("road-test,joyride") }
        #expect(DrivingRules.checkedPurposes(Config(stored: ["rules.licenceCheckPurposes": "road-test,parking"])) == [.roadTest, .parking])
        #expect(try Config.setting("movement.undoMinutes").defaultValue == "2")
    }

    @Test("a scan ends a car being driven (or when asked to); otherwise it starts, and only for a driver the clerk chose")
    func scanAction() throws {
        #expect(try CustodyRules.scan(.toggle, beingDriven: true, chosen: nil) == nil)
        #expect(try CustodyRules.scan(.end, beingDriven: false, chosen: "2") == nil)
        #expect(try CustodyRules.scan(.toggle, beingDriven: false, chosen: "2") == "2")
        #expect(try CustodyRules.scan(.start, beingDriven: true, chosen: "2") == "2", "a start on a car being driven goes on to R1's refusal")
        #expect(throws: DeskError.invalid(field: "staff", reason: Message("input.move.chooseStaff"))) { try CustodyRules.scan(.toggle, beingDriven: false, chosen: nil) }
    }

    // MARK: Phone numbers

    @Test("phones: a mobile has 11 digits starting with 1; landlines with area codes and extensions; 400 numbers; abroad with +")
    func phones() throws {
        #expect(try Fields.phone("13911020001", field: "phone") == "13911020001")
        #expect(try Fields.phone("139-1102-0001", field: "phone") == "13911020001")
        #expect(try Fields.phone("+86 139 1102 0001", field: "phone") == "13911020001")
        #expect(try Fields.phone("010-62345678", field: "phone") == "010-62345678")
        #expect(try Fields.phone("01062345678", field: "phone") == "010-62345678")
        #expect(try Fields.phone("0755-8123456", field: "phone") == "0755-8123456")
        #expect(try Fields.phone("(021) 6123 4567", field: "phone") == "021-61234567")
        #expect(try Fields.phone("021-61234567-801", field: "phone") == "021-61234567-801")
        #expect(try Fields.phone("021-61234567转801", field: "phone") == "021-61234567-801")
        #expect(try Fields.phone("61234567", field: "phone") == "61234567")
        #expect(try Fields.phone("400-810-8888", field: "phone") == "4008108888")
        #expect(try Fields.phone("+852 9123 4567", field: "phone") == "+85291234567")
        #expect(try Fields.phone("  ", field: "phone") == nil)
        for bad in ["1381234567", "138123456789", "12012345678", "12345", "0101234", "phone", "138-1234-567x", "00000000"] {
            #expect(throws: DeskError.self, "\(bad)") { try Fields.phone(bad, field: "owner-phone") }
        }
        do {
            _ = try Fields.phone("1381234567", field: "owner-phone")
        } catch let error as DeskError {
            #expect(error.field == "owner-phone")
            if case .invalid(_, let reason, _) = error { #expect(reason == Message("input.phone.mobile", ["raw": .text("1381234567"), "count": .number(10)])) }
        }
    }

    // MARK: Who may correct a movement

    @Test("the desk corrects its own movement within movement.undoMinutes; a manager and the command line always")
    func undoWindow() {
        let desk = Actor.account(name: "anna", role: .desk)
        let recorded = at("2026-12-07 10:00")
        func check(_ actor: Actor, by: String?, now: String) -> (rule: String, codes: [String])? {
            refusal { try CorrectionRules.checkMovementCorrection(actor: actor, operatorName: "anna", movementId: 4, recordedBy: by, recordedAt: by == nil ? nil : recorded,
                                                                  now: at(now), undoMinutes: 2) }
        }
        #expect(check(desk, by: "anna", now: "2026-12-07 10:02") == nil)
        #expect(check(desk, by: "anna", now: "2026-12-07 10:02:01")?.codes == ["movement.undoOver"])
        #expect(check(desk, by: "bo", now: "2026-12-07 10:01")?.rule == "undo")
        #expect(check(desk, by: nil, now: "2026-12-07 10:01")?.rule == "undo")
        #expect(check(.account(name: "boss", role: .manager), by: nil, now: "2026-12-09 10:00") == nil)
        #expect(check(.administrator, by: "bo", now: "2026-12-09 10:00") == nil)
    }

    @Test("an edit changes only what was given, and an edit that changes nothing is refused naming the field")
    func edit() throws {
        let m = Movement(id: 4, visitId: 1, vehicleId: 1, staffId: 2, startAt: at("2026-12-07 10:00"), endAt: at("2026-12-07 10:20"), purpose: .roadTest)
        let changed = try CorrectionRules.edited(m, staffId: 3, start: nil, end: nil, purpose: nil)
        #expect(changed.staffId == 3 && changed.startAt == m.startAt && changed.endAt == m.endAt && changed.purpose == .roadTest)
        #expect(throws: DeskError.invalid(field: "staff", reason: Message("input.edit.nothing", ["movement": .number(4)]))) {
            try CorrectionRules.edited(m, staffId: 2, start: m.startAt, end: nil, purpose: .roadTest)
        }
    }

    // MARK: R2 decided again

    func violation(_ id: Int64, status: ViolationStatus = .open, driver: Int64?, kind: Attribution.Kind = .movement, review: Bool = false) -> Violation {
        var v = Violation(id: id, vehicleId: 1, occurredAt: at("2026-12-07 10:10"), code: "1625", descriptionText: nil, category: nil, location: nil, points: 6,
                          fineFen: 20_000, recordNo: nil, status: status, driverId: driver, attribution: kind, needsReview: review, reasons: "[]", movementId: 4,
                          recordedAt: at("2026-12-07 12:00"))
        if status != .open { v.processedAt = at("2026-12-07 13:00") }
        return v
    }
    func answer(_ driver: Int64?, kind: Attribution.Kind = .movement, review: Bool = false) -> Attribution {
        Attribution(kind: kind, driver: driver.map { StaffRef(id: $0, name: "#\($0)") }, needsReview: review, reasons: [Message("attribution.noMovement")],
                    movementId: driver == nil ? nil : 9)
    }

    @Test("after a correction, an open violation takes the new driver; the same answer changes nothing")
    func reattributeOpen() throws {
        let changes = try CorrectionRules.reattribute([(violation(1, driver: 2), answer(3)), (violation(2, driver: 2), answer(nil, kind: .unattributed, review: true))])
        #expect(changes.map(\.violation.driverId) == [3, nil])
        #expect(changes.map(\.driverBefore) == [2, 2])
        #expect(changes[1].violation.needsReview && changes[1].violation.attribution == .unattributed && changes[1].violation.movementId == nil)
        var same = violation(5, driver: 3)
        same.reasons = Message.encodeList([Message("attribution.noMovement")])
        same.movementId = 9
        #expect(try CorrectionRules.reattribute([(same, answer(3))]).isEmpty)
    }

    @Test("a processed or paid violation whose driver would change refuses the correction, naming each; manual, void and handed back stay")
    func reattributeSettled() throws {
        let refused = refusal { try CorrectionRules.reattribute([(violation(7, status: .processed, driver: 2), answer(3)), (violation(8, status: .paid, driver: 2), answer(nil)),
                                                                 (violation(9, status: .paid, driver: 2), answer(2))]) }
        #expect(refused?.rule == "R2" && refused?.codes == ["correction.violationSettled", "correction.violationSettled"])
        #expect(try CorrectionRules.reattribute([(violation(1, driver: 2, kind: .manual), answer(3)), (violation(2, status: .void, driver: nil), answer(3)),
                                                 (violation(3, status: .handedBack, driver: nil, kind: .outsideCustody), answer(3))]).isEmpty)
    }

    // MARK: Undo and the review gate

    @Test("unpay puts back exactly the processed state; only a paid violation; R8 undone: due for removal becomes active again")
    func unpay() throws {
        let processed = violation(1, status: .processed, driver: 2)
        var paid = processed
        paid.status = .paid
        paid.paidAt = at("2026-12-08 10:00"); paid.paidFen = 20_000; paid.lateFeeFen = 0; paid.payMethod = .wechat; paid.payer = .shop
        #expect(try ViolationRules.unpaid(paid) == processed)
        #expect(refusal { try ViolationRules.unpaid(processed) }?.codes == ["violation.unpayNotPaid"])
        #expect(RegistrationRules.afterUnpay(.removalDue) == .active)
        #expect(RegistrationRules.afterUnpay(.removed) == nil && RegistrationRules.afterUnpay(.active) == nil)
    }

    @Test("a payment below the fine is refused; a different late fee is kept as the difference")
    func payments() throws {
        #expect(refusal { try FeeRules.checkPayment(id: 1, paidFen: 18_000, fineFen: 20_000) }?.codes == ["payment.belowFine"])
        try FeeRules.checkPayment(id: 1, paidFen: 20_000, fineFen: 20_000)
        #expect(FeeRules.difference(paidFen: 21_000, fineFen: 20_000, lateFeeFen: 0) == 1_000)
        #expect(FeeRules.difference(paidFen: 20_000, fineFen: 20_000, lateFeeFen: 600) == -600)
        #expect(FeeRules.difference(paidFen: 20_600, fineFen: 20_000, lateFeeFen: 600) == nil)
    }

    @Test("the review gate: nobody or a driver to review refuses processing and paying; confirm accepts only a proposal to review")
    func reviewGate() {
        let wang = StaffRef(id: 1, name: "王磊")
        #expect(refusal { try ViolationRules.checkDecided(id: 1, needsReview: true, driver: wang) }?.codes == ["violation.needsDecision"])
        #expect(refusal { try ViolationRules.checkDecided(id: 1, needsReview: true, driver: nil) }?.rule == "review")
        #expect(refusal { try ViolationRules.checkDecided(id: 1, needsReview: false, driver: wang); return 0 } == nil)
        #expect(refusal { try ViolationRules.checkConfirm(id: 1, status: .open, needsReview: true, driver: wang); return 0 } == nil)
        #expect(refusal { try ViolationRules.checkConfirm(id: 1, status: .open, needsReview: true, driver: nil) }?.codes == ["violation.confirmNobody"])
        #expect(refusal { try ViolationRules.checkConfirm(id: 1, status: .open, needsReview: false, driver: wang) }?.codes == ["violation.confirmNotNeeded"])
        #expect(refusal { try ViolationRules.checkConfirm(id: 1, status: .processed, needsReview: true, driver: wang) }?.codes == ["violation.assignNotOpen"])
    }

    @Test("only an open violation outside custody is handed back; it then needs no action")
    func handback() throws {
        #expect(refusal { try ViolationRules.checkHandback(id: 1, status: .open, attribution: .outsideCustody); return 0 } == nil)
        #expect(refusal { try ViolationRules.checkHandback(id: 1, status: .open, attribution: .unattributed) }?.codes == ["violation.handbackInCustody"])
        #expect(refusal { try ViolationRules.checkHandback(id: 1, status: .handedBack, attribution: .outsideCustody) }?.codes == ["violation.handbackNotOpen"])
        #expect(NextAction.of(status: .handedBack, attribution: .outsideCustody, needsReview: false, hasDriver: false, channel: nil, registrationMissing: false,
                              dueDate: nil, today: day("2026-12-07")) == .none)
        #expect(!ViolationStatus.handedBack.isUnpaid)
        #expect(try ViolationStatus(parsing: "handedback") == .handedBack)
    }

    @Test("unconfirm only an active registration; unremove gives back the state before (due for removal, active, invited) unless another is live")
    func registrations() throws {
        #expect(refusal { try RegistrationRules.checkUnconfirm(ref: "INV-AAAA-BBBB", status: .active); return 0 } == nil)
        #expect(refusal { try RegistrationRules.checkUnconfirm(ref: "INV-AAAA-BBBB", status: .removalDue) }?.codes == ["registration.unconfirmNotActive"])
        var r = Registration(id: 1, ref: "INV-AAAA-BBBB", vehicleId: 1, staffId: 2, method: .qr, status: .removed, invitedAt: at("2026-12-01 10:00"),
                             activatedAt: at("2026-12-01 12:00"), removedAt: at("2026-12-05 10:00"))
        #expect(try RegistrationRules.unremoved(r, otherLive: nil).status == .active)
        r.removalDueAt = at("2026-12-04 10:00")
        let back = try RegistrationRules.unremoved(r, otherLive: nil)
        #expect(back.status == .removalDue && back.removedAt == nil && back.removalDueAt == r.removalDueAt)
        #expect(refusal { try RegistrationRules.unremoved(r, otherLive: "INV-CCCC-DDDD") }?.codes == ["registration.unremoveOtherLive"])
        let cancelled = Registration(id: 2, ref: "INV-EEEE-FFFF", vehicleId: 1, staffId: 2, method: .qr, status: .cancelled, invitedAt: at("2026-12-01 10:00"),
                                     cancelledAt: at("2026-12-02 10:00"))
        let invited = try RegistrationRules.unremoved(cancelled, otherLive: nil)
        #expect(invited.status == .invited && invited.cancelledAt == nil)
        #expect(refusal { try RegistrationRules.unremoved(invited, otherLive: nil) }?.codes == ["registration.unremoveNotRemoved"])
    }

    @Test("a check-out is undone only for the last visit, checked out, with none open")
    func reopen() {
        let visit = VisitSpan(id: 1, checkin: at("2026-12-07 08:00"), checkout: at("2026-12-07 17:00"))
        #expect(refusal { try VisitRules.checkReopen(plate: "京A12345", last: visit, open: false); return 0 } == nil)
        #expect(refusal { try VisitRules.checkReopen(plate: "京A12345", last: visit, open: true) }?.codes == ["visit.reopenInShop"])
        #expect(refusal { try VisitRules.checkReopen(plate: "京A12345", last: nil, open: false) }?.codes == ["visit.reopenNone"])
    }
}
