@testable import DriverDeskApp
import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// The audit in words (`AuditWording`): every action a shop's use cases write, and every field of every record they
/// keep, reads in both languages without a code, a field name, a UTC time or JSON.
@Suite("Use cases: the audit in words")
struct AuditWordingTests {
    static let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)

    /// A shop's use cases at a time, as `who` writes them.
    static func desk(_ database: AppDatabase, at text: String, operator name: String = "店长") throws -> Desk {
        Shop(database: database).desk(now: try time.parse(text, field: "now", now: Date()), operator: name)
    }

    /// Two weeks of a shop: every kind of change the use cases audit, corrections, accounts, logins, an import, a
    /// cleanup and a backup.
    static func story(in folder: URL) throws -> AppDatabase {
        let database = try AppDatabase.inMemory()
        let desk = try desk(database, at: "2026-11-20 20:00")
        _ = try desk.initialise(shopName: "测试汽修", timeZone: nil)
        _ = try desk.addStaff(name: "王磊", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2009-05-20", licenseValidUntil: "2031-05-20", phone: nil)
        _ = try desk.addStaff(name: "李强", idNumber: "11010519491231002X", licenseClass: "C1", licenseFirstIssued: "2012-08-03", licenseValidUntil: "2028-08-03", phone: nil)
        _ = try desk.updateStaff("李强", name: nil, phone: "13911020002", licenseClass: nil, licenseFirstIssued: nil, licenseValidUntil: nil)
        _ = try desk.addVehicle(plate: "京A12345", owner: "张伟", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        _ = try desk.addVehicle(plate: "沪B88888", owner: "上海某某贸易有限公司", ownerPhone: nil, engineLast6: nil, usage: "commercial", size: "large")
        _ = try desk.updateVehicle(plate: "京A12345", owner: nil, ownerPhone: "13800138000", engineLast6: "a1b2c3", usage: nil, size: nil)
        _ = try desk.setSetting(key: "rules.licenceCheckPurposes", value: "road-test,delivery")
        _ = try desk.setSetting(key: "fine.1625", value: "150")
        _ = try desk.setSetting(key: "ui.language", value: "en")
        _ = try desk.setSetting(key: "ui.language", value: "zh-Hans")
        _ = try desk.checkin(plate: "京A12345", at: "2026-11-20 09:00", orderNo: "WO-1")
        _ = try desk.startMovement(plate: "京A12345", staff: "王磊", purpose: "road-test", at: "2026-11-20 10:00")
        _ = try desk.endMovement(plate: "京A12345", at: "2026-11-20 10:30")
        let logged = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 11:00", to: "2026-11-20 11:20", purpose: "parking")
        // Caught while parking; the movement named the wrong man, and correcting it decides the driver again (R2).
        _ = try desk.addViolation(plate: "京A12345", at: "2026-11-20 11:10", code: "1039", points: nil, fine: nil, location: "店门口", recordNo: "R-0")
        _ = try desk.editMovement(String(logged.id), staff: "李强", from: nil, to: "2026-11-20 11:25", purpose: nil, reason: "登记错人")
        let ref = try desk.invite(plate: "京A12345", staff: "王磊", method: "sms").view.registration.ref
        _ = try desk.confirmRegistration(ref: ref, at: nil)
        _ = try desk.unconfirmRegistration(ref, reason: "车主没做")
        _ = try desk.confirmRegistration(ref: ref, at: nil)
        // Caught by the camera on the road test; another within the camera clock's slack, to confirm by hand.
        let caught = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:15", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: "R-1")
        let near = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:35", code: "1625", points: nil, fine: nil, location: "东三环", recordNo: "R-2")
        _ = try desk.confirmViolation(String(near.id), reason: "照片上是他")
        _ = try desk.assignViolation(String(caught.id), staff: "王磊", reason: "照片")
        _ = try desk.processViolation(String(caught.id), window: true, at: nil)
        _ = try desk.processViolation(String(near.id), window: true, at: nil)
        _ = try desk.payViolation(String(near.id), method: "alipay", payer: "shop", amount: nil, at: nil)
        _ = try desk.payViolation(String(caught.id), method: "bank-card", payer: "driver", amount: "160", at: nil)
        _ = try desk.unpayViolation(String(caught.id), reason: "记错金额")
        _ = try desk.payViolation(String(caught.id), method: "cash", payer: "owner", amount: nil, at: nil)
        _ = try desk.removeRegistration(ref: ref, at: nil)
        _ = try desk.unremoveRegistration(ref, reason: "点错")
        let outside = try desk.addViolation(plate: "京A12345", at: "2026-11-19 07:00", code: "1625", points: nil, fine: nil, location: nil, recordNo: "R-3")
        _ = try desk.handBackViolation(String(outside.id), reason: "车主自己开的")
        let mistaken = try desk.startMovement(plate: "京A12345", staff: "王磊", purpose: "parking", at: "2026-11-20 19:00")
        _ = try desk.voidMovement(String(mistaken.id), reason: "扫错")
        _ = try desk.importViolations(data: Data("号牌号码,违法时间,违法代码\n京A12345,2026-11-20 10:20,1625\n".utf8), name: "摄像头文件", dryRun: false)
        _ = try desk.checkout(plate: "京A12345", at: "2026-11-20 17:00")
        _ = try desk.reopenVisit(plate: "京A12345", reason: "车还没走")
        _ = try desk.checkout(plate: "京A12345", at: "2026-11-20 17:30")
        let cancelled = try desk.invite(plate: "京A12345", staff: "李强", method: nil).view.registration.ref
        _ = try desk.removeRegistration(ref: cancelled, at: nil)
        // 李强 registered on 沪B88888 at the window; the car left the same day.
        _ = try desk.checkin(plate: "沪B88888", at: "2026-11-20 08:00", orderNo: nil)
        _ = try desk.checkout(plate: "沪B88888", at: "2026-11-20 18:00")
        _ = try desk.confirmRegistration(ref: try desk.invite(plate: "沪B88888", staff: "李强", method: "window").view.registration.ref, at: nil)
        _ = try desk.addStaff(name: "赵六", idNumber: "110101199003071233", licenseClass: "C1", licenseFirstIssued: "2012-01-01", licenseValidUntil: "2030-01-01", phone: nil)
        _ = try desk.deactivateStaff("赵六")
        // An invite nobody confirms.
        _ = try AuditWordingTests.desk(database, at: "2026-11-22 09:00").invite(plate: "沪B88888", staff: "王磊", method: "window")
        _ = try desk.addUser(name: "anna", role: "desk", staff: "王磊", password: "Anna-front-2026")
        _ = try desk.setPassword(name: "anna", password: "Anna-front-2027")
        let later = try AuditWordingTests.desk(database, at: "2026-12-01 09:00")
        let shop = Shop(database: database)
        _ = try shop.logIn(name: "anna", password: "not-hers-at-all", address: "192.168.1.20", now: later.now)
        let person = try #require(try shop.logIn(name: "anna", password: "Anna-front-2027", address: "192.168.1.20", now: later.now))
        try shop.logOut(person, address: "192.168.1.20", now: later.now)
        _ = try later.disableUser(name: "anna")
        _ = try later.cleanup(dryRun: false)
        _ = try later.backup(to: folder.appendingPathComponent("备份").path)
        return database
    }

    @Test("every action the story writes has its words, every field its label; in both languages no code, no field name, no UTC time, no JSON")
    func everyEntryInWords() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("driverdesk-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AuditWordingTests.story(in: folder)
        let desk = try AuditWordingTests.desk(database, at: "2026-12-01 10:00")
        let entries = try desk.audit(since: nil)
        let actions = Set(entries.map(\.action))
        let expected: Set<String> = ["config.set", "staff.add", "staff.update", "staff.deactivate", "vehicle.add", "vehicle.update", "visit.checkin",
                                     "visit.checkout", "visit.reopen", "movement.start", "movement.end", "movement.log", "movement.edit", "movement.void",
                                     "registration.invite", "registration.confirm", "registration.unconfirm", "registration.removalDue",
                                     "registration.removalUndone", "registration.remove", "registration.unremove", "registration.cancel", "violation.add",
                                     "violation.import", "violation.assign", "violation.confirm", "violation.reattribute", "violation.process", "violation.pay",
                                     "violation.unpay", "violation.handback", "account.add", "account.passwd", "account.disable", "login", "login.failed",
                                     "logout", "cleanup.expired", "cleanup.removalDue", "backup"]
        #expect(expected.subtracting(actions).isEmpty, "the story lacks \(expected.subtracting(actions).sorted())")
        #expect(actions.isSubset(of: Set(AuditActions.all)), "unknown actions: \(actions.subtracting(AuditActions.all).sorted())")
        // Every field any record wrote has a label.
        var fields = Set<String>()
        for entry in entries {
            for value in [entry.before, entry.after] { if case .object(let object) = value { fields.formUnion(object.keys) } }
        }
        let settingKeys = Set(Config.settings.map(\.key)).union(["fine.1625"])
        // A record's own number is never shown: the subject names it.
        let unlabelled = fields.subtracting(AuditFields.labelled).subtracting(settingKeys).subtracting(["id"])
        #expect(unlabelled.isEmpty, "fields without a label: \(unlabelled.sorted())")

        for language in Language.allCases {
            let words = try Catalogue.shipped(language)
            let speaking = Shop(database: database).desk(now: desk.now, operator: "店长", language: language)
            var lines: [AuditLine] = []
            var page = 1
            while true {
                let view = try speaking.auditPage(since: nil, until: nil, person: nil, action: nil, page: String(page))
                lines += view.lines
                if page >= view.pages { break }
                page += 1
            }
            #expect(lines.count == entries.count)
            for line in lines {
                #expect(words.termTexts["auditAction"]?[line.action] == line.actionText, "\(language.rawValue) \(line.action)")
                let text = [line.at, line.actionText, line.subject, line.changeText(words)].joined(separator: " | ")
                // The names of settings stay as the catalogue's reasons name them (a needs-review reason names the slack's).
                var readable = text
                for key in settingKeys { readable = readable.replacingOccurrences(of: key, with: "") }
                let codes = AuditWordingTests.codeLike(readable)
                #expect(codes.isEmpty, "\(language.rawValue) #\(line.id) \(line.action): \(codes) in \(text)")
            }
            let all = lines.map { [$0.actionText, $0.subject, $0.changeText(words)].joined(separator: " ") }.joined(separator: "\n")
            let fragments: [String] = language == .zhHans
                ? ["罚款缴清，应解除备案", "撤回应解除备案", "缴款金额：— → 160.00 元", "支付方式：— → 银行卡", "值：路试、送车、接车、其他 → 路试、送车",
                   "值：参考罚款 → 150.00 元", "值：简体中文 → English", "在用：是 → 否", "角色：前台", "来源地址：192.168.1.20", "使用性质：营运",
                   "车辆大小：大型车", "备案方式：短信验证码备案", "员工：王磊 → 李强", "撤销原因：— → 扫错", "原因：— → 登记错人", "新增条数：1",
                   "状态：待解除备案 → 已备案", "状态：已邀请 → 已取消", "状态：已邀请 → 邀请已过期", "文件 摄像头文件", "账户 anna", "退回原因：— → 车主自己开的"]
                : ["Fines paid: removal due", "Amount paid: — → 160.00 yuan", "Paid with: — → bank card", "Value: the reference fine → 150.00 yuan",
                   "Active: yes → no", "Role: front desk"]
            for fragment in fragments { #expect(all.contains(fragment), "\(language.rawValue): no \(fragment)") }
        }
    }

    @Test("a value the catalogue has no words for still reads: a field's name spelled out, an object without braces")
    func unknownFieldsReadably() throws {
        let words = try Catalogue.shipped(.zhHans)
        let wording = AuditWording(words: words, time: AuditWordingTests.time)
        let entry = AuditEntry(id: 7, at: Date(timeIntervalSince1970: 1_795_000_000), operator: "x", action: "tow.order",
                               subject: "tow #3", before: #"{"towTruckFen": 1, "note": {"a": 1}}"#, after: #"{"towTruckFen": 2, "note": {"a": [1, 2]}}"#)
        let line = wording.line(entry)
        #expect(line.actionText == "tow order")
        #expect(line.changes.map(\.label) == ["note", "tow truck fen"])
        #expect(!line.changeText(words).contains("{") && !line.changeText(words).contains("\""))
        #expect(line.at == "2026-11-18 19:06:40")
        let notJSON = AuditEntry(id: 8, at: entry.at, operator: "x", action: "backup", subject: "/srv/备份", before: nil, after: "not json")
        #expect(wording.line(notJSON).changeText(words) == "值：not json")
    }

    /// Codes, field names, UTC times and JSON that a manager should never have to read.
    static func codeLike(_ text: String) -> [String] {
        let patterns = [#"\b[A-Za-z]+\.[A-Za-z]+\b"#, #"\b[a-z]+[A-Z][A-Za-z]*\b"#, #"\d{2}:\d{2}(:\d{2})?Z"#, #"\d{4}-\d{2}-\d{2}T\d{2}"#, #"[{}"]"#]
        return patterns.flatMap { pattern in
            let expression = try! NSRegularExpression(pattern: pattern)
            return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
        }
    }
}
