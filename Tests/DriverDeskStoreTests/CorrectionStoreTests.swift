import DriverDeskCore
@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// Corrections on a fresh database of each engine: each one transaction with its audit entry; a refusal writes nothing.
@Suite("Corrections in the store: void and edit a movement, R2 decided again, undo, R13, the review gate")
struct CorrectionStoreTests {
    static let notParking: @Sendable (String, Date) -> Bool = { _, _ in false }

    /// A car checked in at 08:00 with 王磊 driving it 10:00–10:30, and a camera at 10:15.
    func scene(_ backend: Backend) throws -> (shop: Shop, movement: MovementRow, violation: ViolationRow) {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("08:00"), orderNo: nil, context: shop.context)
        let movement = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .roadTest, from: shop.at("10:00"), to: shop.at("10:30"), context: shop.context)
        let violation = try shop.db.addViolation(NewViolation(plate: shop.plate("京A12345"), occurredAt: shop.at("10:15"), code: "1625", description: nil, category: nil,
                                                              location: "东三环", points: 6, fineFen: 20_000, recordNo: nil, isParking: false), context: shop.context)
        #expect(violation.driver?.name == "王磊")
        return (shop, movement, violation)
    }

    /// Every table a correction touches, counted, and the violations as they are: what "nothing written" compares.
    func state(_ shop: Shop) throws -> String {
        let counts = try ["visit", "movement", "audit", "violation", "registration"].map { try shop.test.count($0) }
        let violations = try shop.db.violations().map { "\($0.violation.id!):\($0.violation.status):\($0.violation.driverId ?? 0):\($0.violation.needsReview)" }
        let movements = try shop.db.movements(MovementFilter()).map { "\($0.span.id):\($0.span.staff.name):\($0.span.start.seconds)-\($0.span.end?.seconds ?? 0)" }
        return "\(counts) \(violations) \(movements)"
    }

    func refusal(_ shop: Shop, _ body: () throws -> Any) throws -> (rule: String, codes: [String])? {
        let before = try state(shop)
        defer { #expect((try? state(shop)) == before, "a refusal wrote something") }
        do { _ = try body() } catch let error as DeskError {
            if case .refusedWith(let rule, let reasons) = error { return (rule, reasons.map(\.code)) }
            Issue.record("not a refusal: \(error)")
        }
        return nil
    }

    @Test("void: the movement leaves the lists and R2; the violation it carried is decided again; it stays among the voided", arguments: Backend.allCases)
    func void(_ backend: Backend) throws {
        let (shop, movement, violation) = try scene(backend)
        let auditBefore = try shop.test.count("audit")
        let outcome = try shop.db.voidMovement(movement.span.id, reason: "扫错了车", actor: .administrator, isParking: Self.notParking, context: shop.context)
        #expect(outcome.voided && outcome.changes == [DriverChange(violationId: violation.violation.id!, plate: "京A12345", from: StaffRef(id: violation.driver!.id!, name: "王磊"), to: nil)])
        #expect(try shop.db.movements(MovementFilter()).isEmpty)
        let after = try shop.db.violation(violation.violation.id!)
        #expect(after.driver == nil && after.violation.attribution == .unattributed && after.violation.needsReview)
        let voided = try shop.db.voidedMovements(MovementFilter())
        #expect(voided.map(\.row.span.id) == [movement.span.id] && voided[0].voided.voidReason == "扫错了车" && voided[0].row.span.staff.name == "王磊")
        #expect(try shop.test.count("audit") == auditBefore + 2)
        // R1 no longer sees it: the same time can be recorded again, for the one who really drove, with a new number.
        let again = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "李强", purpose: .roadTest, from: shop.at("10:00"), to: shop.at("10:30"), context: shop.context)
        #expect(again.span.id != movement.span.id)
        #expect(try shop.db.attribution(plate: shop.plate("京A12345"), at: shop.at("10:15"), isParking: false).attribution.driver?.name == "李强")
        #expect(throws: DeskError.notFound(field: "id", reason: Message("notFound.movement", ["movement": .number(Int(movement.span.id))]))) {
            try shop.db.voidMovement(movement.span.id, reason: "again", actor: .administrator, isParking: Self.notParking, context: shop.context)
        }
    }

    @Test("edit: another driver takes the violation; times that now cover a camera attribute it; R1 holds for the edit", arguments: Backend.allCases)
    func edit(_ backend: Backend) throws {
        let (shop, movement, violation) = try scene(backend)
        let outcome = try shop.db.editMovement(movement.span.id, edit: MovementEdit(staff: "李强"), reason: "登记错人", actor: .administrator,
                                               isParking: Self.notParking, context: shop.context)
        #expect(outcome.changes.map(\.to?.name) == ["李强"] && outcome.changes.map(\.from?.name) == ["王磊"])
        #expect(try shop.db.violation(violation.violation.id!).driver?.name == "李强")
        // A camera at 11:00 outside any movement, then the movement's end corrected to 11:05: it now covers it.
        let late = try shop.db.addViolation(NewViolation(plate: shop.plate("京A12345"), occurredAt: shop.at("11:00"), code: "1625", description: nil, category: nil,
                                                         location: nil, points: 6, fineFen: 20_000, recordNo: "R-2", isParking: false), context: shop.context)
        #expect(late.driver == nil)
        let longer = try shop.db.editMovement(movement.span.id, edit: MovementEdit(end: shop.at("11:05")), reason: "还车晚了", actor: .administrator,
                                              isParking: Self.notParking, context: shop.context)
        #expect(longer.changes.map(\.violationId) == [late.violation.id!] && longer.row.span.end == shop.at("11:05"))
        // R1: not over another movement of the car.
        _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .parking, from: shop.at("12:00"), to: shop.at("12:10"), context: shop.context)
        #expect(try refusal(shop) { try shop.db.editMovement(movement.span.id, edit: MovementEdit(end: shop.at("12:05")), reason: "x", actor: .administrator,
                                                                isParking: Self.notParking, context: shop.context) }?.rule == "R1")
    }

    @Test("a correction that would change the driver of a processed violation is refused naming it; assign corrects it", arguments: Backend.allCases)
    func settled(_ backend: Backend) throws {
        let (shop, movement, violation) = try scene(backend)
        _ = try shop.db.processViolation(violation.violation.id!, window: true, at: shop.at("12:00"), context: shop.context)
        let refused = try refusal(shop) { try shop.db.editMovement(movement.span.id, edit: MovementEdit(staff: "李强"), reason: "登记错人", actor: .administrator,
                                                                    isParking: Self.notParking, context: shop.context) }
        #expect(refused?.rule == "R2" && refused?.codes == ["correction.violationSettled"])
        #expect(try refusal(shop) { try shop.db.voidMovement(movement.span.id, reason: "x", actor: .administrator, isParking: Self.notParking, context: shop.context) }?.rule == "R2")
        let assigned = try shop.db.assignViolation(violation.violation.id!, staff: "李强", reason: "监控录像", context: shop.context)
        #expect(assigned.driver?.name == "李强" && assigned.violation.status == .processed)
    }

    @Test("the desk corrects its own movement within movement.undoMinutes; another's, or later, only a manager", arguments: Backend.allCases)
    func undoWindow(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("08:00"), orderNo: nil, context: shop.context)
        let anna = WriteContext(operator: "anna (王磊)", now: shop.at("19:00"))
        let desk = Actor.account(name: "anna", role: .desk)
        let mine = try shop.db.startMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .roadTest, at: shop.at("18:59"), context: anna)
        let twoMinutesLater = WriteContext(operator: anna.operator, now: anna.now.addingTimeInterval(121))
        #expect(try refusal(shop) { try shop.db.voidMovement(mine.span.id, reason: "扫错", actor: desk, isParking: Self.notParking, context: twoMinutesLater) }?.rule == "undo")
        let bo = WriteContext(operator: "bo", now: anna.now.addingTimeInterval(30))
        #expect(try refusal(shop) { try shop.db.voidMovement(mine.span.id, reason: "扫错", actor: .account(name: "bo", role: .desk), isParking: Self.notParking, context: bo) }?.rule == "undo")
        let inTime = WriteContext(operator: anna.operator, now: anna.now.addingTimeInterval(90))
        #expect(try shop.db.voidMovement(mine.span.id, reason: "扫错", actor: desk, isParking: Self.notParking, context: inTime).voided)
        let old = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "李强", purpose: .parking, from: shop.at("09:00"), to: shop.at("09:10"), context: shop.context)
        #expect(try shop.db.voidMovement(old.span.id, reason: "重复", actor: .account(name: "boss", role: .manager), isParking: Self.notParking, context: inTime).voided)
    }

    @Test("R13: an expired licence refuses a road test and nothing is written; renewed by staff update, he drives", arguments: Backend.allCases)
    func whoMayDrive(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("08:00"), orderNo: nil, context: shop.context)
        var change = StaffChange()
        change.licenseValidUntil = CivilDate(year: 2026, month: 11, day: 19)!
        _ = try shop.db.updateStaff("王磊", change: change, context: shop.context)
        let refused = try refusal(shop) { try shop.db.startMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .roadTest, at: shop.at("10:00"), context: shop.context) }
        #expect(refused?.rule == "R13" && refused?.codes == ["driving.licenceExpired"])
        let parked = try shop.db.startMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .parking, at: shop.at("10:00"), context: shop.context)
        #expect(parked.warnings.map(\.code) == ["driving.licenceExpired", "driving.onlyWarned"])
        _ = try shop.db.endMovement(plate: shop.plate("京A12345"), at: shop.at("10:05"), context: shop.context)
        change.licenseValidUntil = CivilDate(year: 2036, month: 11, day: 19)!
        let renewed = try shop.db.updateStaff("王磊", change: change, context: shop.context)
        #expect(renewed.licenseValidUntil == CivilDate(year: 2036, month: 11, day: 19)! && renewed.idNumber == "110105198803124111")
        #expect(try shop.db.startMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .roadTest, at: shop.at("11:00"), context: shop.context).warnings.isEmpty)
    }

    @Test("the review gate, confirm, a payment below the fine, unpay with R8 undone", arguments: Backend.allCases)
    func money(_ backend: Backend) throws {
        let shop = try Shop(backend)
        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("08:00"), orderNo: nil, context: shop.context)
        _ = try shop.db.logMovement(plate: shop.plate("京A12345"), staff: "王磊", purpose: .roadTest, from: shop.at("10:00"), to: shop.at("10:30"), context: shop.context)
        // 10:35 is within the slack of the movement's end: 王磊, to review.
        let near = try shop.db.addViolation(NewViolation(plate: shop.plate("京A12345"), occurredAt: shop.at("10:35"), code: "1625", description: nil, category: nil,
                                                         location: nil, points: 6, fineFen: 20_000, recordNo: nil, isParking: false), context: shop.context)
        let id = near.violation.id!
        #expect(near.violation.needsReview && near.driver?.name == "王磊")
        #expect(try refusal(shop) { try shop.db.processViolation(id, window: true, at: shop.at("12:00"), context: shop.context) }?.codes == ["violation.needsDecision"])
        let confirmed = try shop.db.confirmViolation(id, reason: "他承认", context: shop.context)
        #expect(!confirmed.violation.needsReview && confirmed.driver?.name == "王磊" && confirmed.violation.assignedBy == "tester")
        // A registration of his on the car, active before the payment.
        let invite = try shop.db.invite(plate: shop.plate("京A12345"), staff: "王磊", method: .qr, context: WriteContext(operator: "tester", now: shop.at("11:00")), makeRef: { "INV-AAAA-BBBB" })
        _ = try shop.db.confirmRegistration(ref: invite.row.registration.ref, at: shop.at("11:30"), context: shop.context)
        _ = try shop.db.processViolation(id, window: true, at: shop.at("12:00"), context: shop.context)
        #expect(try refusal(shop) { try shop.db.payViolation(id, method: .wechat, payer: .shop, amountFen: 18_000, at: shop.at("13:00"), context: shop.context) }?.codes
                == ["payment.belowFine"])
        let paid = try shop.db.payViolation(id, method: .wechat, payer: .shop, amountFen: 21_000, at: shop.at("13:00"), context: shop.context)
        #expect(paid.removalDue == "INV-AAAA-BBBB" && paid.row.violation.paidFen == 21_000)
        let undone = try shop.db.unpayViolation(id, reason: "付错了单", context: shop.context)
        #expect(undone.row.violation.status == .processed && undone.row.violation.paidAt == nil && undone.row.violation.paidFen == nil && undone.removalDue == "INV-AAAA-BBBB")
        #expect(try shop.db.registration(ref: "INV-AAAA-BBBB").registration.status == .active)
        #expect(try shop.db.registration(ref: "INV-AAAA-BBBB").registration.removalDueAt == nil)
        #expect(try refusal(shop) { try shop.db.unpayViolation(id, reason: "again", context: shop.context) }?.codes == ["violation.unpayNotPaid"])
    }

    @Test("handback: outside custody only; it leaves the to-do list; unconfirm, unremove and reopen put back the state before", arguments: Backend.allCases)
    func handBackAndUndo(_ backend: Backend) throws {
        let shop = try Shop(backend)
        let outside = try shop.db.addViolation(NewViolation(plate: shop.plate("沪B88888"), occurredAt: shop.at("07:00"), code: "1625", description: nil, category: nil,
                                                            location: nil, points: 6, fineFen: 20_000, recordNo: nil, isParking: false), context: shop.context)
        #expect(outside.violation.attribution == .outsideCustody)
        let handed = try shop.db.handBackViolation(outside.violation.id!, reason: "车主自己开的", context: shop.context)
        #expect(handed.violation.status == .handedBack && handed.violation.handedBackAt == shop.context.now && handed.violation.handBackReason == "车主自己开的")
        #expect(try shop.db.actionableViolations().rows.isEmpty && shop.db.violations(status: .handedBack).count == 1)
        #expect(try refusal(shop) { try shop.db.handBackViolation(outside.violation.id!, reason: nil, context: shop.context) }?.codes == ["violation.handbackNotOpen"])

        let invite = try shop.db.invite(plate: shop.plate("京A12345"), staff: "李强", method: .qr, context: WriteContext(operator: "tester", now: shop.at("11:00")), makeRef: { "INV-CCCC-DDDD" })
        let ref = invite.row.registration.ref
        _ = try shop.db.confirmRegistration(ref: ref, at: shop.at("11:30"), context: shop.context)
        let unconfirmed = try shop.db.unconfirmRegistration(ref: ref, reason: "车主没做", context: shop.context)
        #expect(unconfirmed.registration.status == .invited && unconfirmed.registration.activatedAt == nil)
        _ = try shop.db.confirmRegistration(ref: ref, at: shop.at("12:00"), context: shop.context)
        _ = try shop.db.removeRegistration(ref: ref, at: shop.at("13:00"), context: shop.context)
        let back = try shop.db.unremoveRegistration(ref: ref, reason: "点错了", context: shop.context)
        #expect(back.registration.status == .active && back.registration.removedAt == nil)
        #expect(try refusal(shop) { try shop.db.unremoveRegistration(ref: ref, reason: "again", context: shop.context) }?.codes == ["registration.unremoveNotRemoved"])

        _ = try shop.db.checkin(plate: shop.plate("京A12345"), at: shop.at("08:00"), orderNo: nil, context: shop.context)
        #expect(try refusal(shop) { try shop.db.reopenVisit(plate: shop.plate("京A12345"), reason: "x", context: shop.context) }?.codes == ["visit.reopenInShop"])
        _ = try shop.db.checkout(plate: shop.plate("京A12345"), at: shop.at("17:00"), context: shop.context)
        let reopened = try shop.db.reopenVisit(plate: shop.plate("京A12345"), reason: "车还没走", context: shop.context)
        #expect(reopened.checkoutAt == nil)
        #expect(try refusal(shop) { try shop.db.reopenVisit(plate: shop.plate("沪B88888"), reason: "x", context: shop.context) }?.codes == ["visit.reopenNone"])
    }
}
