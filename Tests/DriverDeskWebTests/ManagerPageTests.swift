import DriverDeskApp
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// Issue 26: the manager's pages in the manager's words.
@Suite("Web: the settings by their labels")
struct SettingsPageTests {
    @Test("the settings page shows each setting by its label under its section, with the input its kind needs and the key small", arguments: Backend.allCases)
    func labels(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let page = try await browser.get("/settings").body
            for section in ["本店", "移车与驾驶人", "备案", "网上处理", "罚款与滞纳金", "清理", "网页前台"] {
                #expect(page.contains("<h2>\(section)</h2>"), "section \(section)")
            }
            #expect(page.contains("<strong>抓拍时钟误差</strong>"))
            #expect(page.contains(#"type="number" inputmode="numeric" min="0" max="120" value="10""#))
            #expect(page.contains("默认：10 分钟"))
            #expect(page.contains(#"<code class="key" title="#) && page.contains(">attribution.slackMinutes</code>"))
            #expect(page.contains(#"<option value="true" selected>开</option>"#), "a switch reads 开/关")
            #expect(page.contains(#"name="option.road-test" checked"#) && page.contains("路试"))
            #expect(page.contains(#"<option value="Asia/Shanghai" selected>"#))
            #expect(!page.contains("（R2）") && page.contains("规则 R2"), "the rule is apart from the sentence")
            #expect(!page.contains("<select name=\"key\">"), "no dropdown of keys")
        }
    }

    @Test("a refusal is shown beside its setting and writes nothing; a list of options and a fine by code save", arguments: Backend.allCases)
    func save(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            _ = try await browser.get("/settings")
            let bad = try await browser.post("/settings", ["key": "attribution.slackMinutes", "value": "500"])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains(#"data-field="attribution.slackMinutes">抓拍时钟误差：“500”不是 0 到 120 之间的整数"#), "\(bad.body)")
            #expect(bad.body.contains(#"max="120" value="500""#), "what was typed stays")
            #expect(try shop.workshop.config().int(.attributionSlackMinutes) == 10)

            let purposes = try await browser.post("/settings", ["key": "rules.licenceCheckPurposes", "choices": "1", "option.road-test": "on", "option.pickup": "on"])
            #expect(purposes.status == .seeOther)
            #expect(try shop.workshop.config().string(.rulesLicenceCheckPurposes) == "road-test,pickup")
            let none = try await browser.post("/settings", ["key": "rules.licenceCheckPurposes", "choices": "1"])
            #expect(none.status == .seeOther)
            #expect(try shop.workshop.config().string(.rulesLicenceCheckPurposes) == "")
            let after = try await browser.get("/settings")
            #expect(after.body.contains("已保存“检查驾驶证的移车用途”：（空）"))

            let badCode = try await browser.post("/settings", ["fine": "1", "code": "16x", "province": "", "value": "150"])
            #expect(badCode.status == .badRequest)
            #expect(badCode.body.contains(#"data-field="code">违法代码：“16x”不是违法代码"#))
            let fine = try await browser.post("/settings", ["fine": "1", "code": "1625", "province": "京", "value": "150"])
            #expect(fine.status == .seeOther)
            #expect(try shop.workshop.config().value("fine.京.1625") == "150")
            #expect(try await browser.get("/settings").body.contains("<strong>违法代码 1625 的罚款（京牌）</strong>"))
        }
    }
}

@Suite("Web: lists to work with (search, pages, the language's order, an unknown plate)")
struct ListPageTests {
    /// A valid ID number for the n-th made-up person (born 1990-01-01, Beijing).
    static func idNumber(_ n: Int) -> String {
        let first17 = "11010519900101" + String(format: "%03d", n)
        return first17 + String(IDNumber.checkCharacter(for: first17)!)
    }

    @Test("staff are listed by 拼音 under zh-Hans (陈 before 刘 before 王) and by search", arguments: Backend.allCases)
    func pinyin(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        for (n, name) in ["周涛", "刘洋", "陈静", "吴斌"].enumerated() {
            _ = try shop.desk.addStaff(name: name, idNumber: ListPageTests.idNumber(n + 1), licenseClass: "C1", licenseFirstIssued: "2010-01-01",
                                       licenseValidUntil: "2030-01-01", phone: "1391102000\(n + 2)")
        }
        try await shop.test { browser in
            let page = try await browser.get("/staff").body
            let order = ["陈静", "李强", "刘洋", "王磊", "吴斌", "周涛"].map { page.range(of: ">\($0)</a>")?.lowerBound }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "staff not in 拼音 order")
            #expect(page.contains("共 6 名员工"))
            let found = try await browser.get("/staff?q=%E5%88%98").body   // 刘
            #expect(found.contains(">刘洋</a>") && !found.contains(">王磊</a>"))
            #expect(found.contains("找到 1 名员工（共 6）"))
            let phone = try await browser.get("/staff?q=13911020001").body
            #expect(phone.contains(">王磊</a>") && !phone.contains(">刘洋</a>"))
        }
    }

    @Test("cars are found by part of a plate with or without its province, by owner, and paged 50 at a time", arguments: Backend.allCases)
    func vehicles(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        for n in 0..<60 {
            _ = try shop.desk.addVehicle(plate: "粤F8\(String(format: "%04d", n))", owner: "车主\(n)", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
        }
        try await shop.test { browser in
            let first = try await browser.get("/vehicles").body
            #expect(first.contains("共 62 辆车") && first.contains("第 1 / 2 页"))
            #expect(first.components(separatedBy: "<a href=\"/vehicles/").count - 1 == 50)
            #expect(first.contains(#"href="/vehicles?page=2" rel="next""#))
            let second = try await browser.get("/vehicles?page=2").body
            #expect(second.components(separatedBy: "<a href=\"/vehicles/").count - 1 == 12 && second.contains("第 2 / 2 页"))
            // Without the province, in lower case, with a space: the same car.
            for typed in ["F80042", "f8 0042", "%E7%B2%A4F80042"] {
                let found = try await browser.get("/vehicles?q=\(typed)").body
                #expect(found.contains(">粤F80042</a>") && found.contains("找到 1 辆车（共 62）"), "\(typed)")
            }
            let owner = try await browser.get("/vehicles?q=%E5%BC%A0%E4%BC%9F").body   // 张伟
            #expect(owner.contains(">京A12345</a>") && !owner.contains(">沪B88888</a>"))
            let none = try await browser.get("/vehicles?q=ZZZ").body
            #expect(none.contains("没有符合的记录"))
            // Plates in the language's order: 京 (jing) before 沪 (hu)? No: 沪 (hù) before 京 (jīng) before 粤 (yuè).
            let hu = try #require(first.range(of: ">沪B88888</a>")), jing = try #require(first.range(of: ">京A12345</a>")),
                yue = try #require(first.range(of: ">粤F80000</a>"))
            #expect(hu.lowerBound < jing.lowerBound && jing.lowerBound < yue.lowerBound)
        }
    }

    @Test("an unknown plate, opened or scanned, offers to add the car with the plate filled in", arguments: Backend.allCases)
    func unknownPlate(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        try await shop.test { browser in
            let opened = try await browser.get("/vehicles/%E7%B2%A4F89094")
            #expect(opened.status == .notFound)
            #expect(opened.body.contains("本店还没有车辆“粤F89094”"))
            #expect(opened.body.contains(#"<input name="plate" value="粤F89094""#))
            // A scan goes to the car's page, which is the add form for a car the shop does not have.
            let scanned = try await browser.get("/scan?q=%E7%B2%A4F89094")
            let location = try #require(scanned.location)
            let landed = try await browser.get(location)
            #expect(landed.status == .notFound && landed.body.contains(#"<input name="plate" value="粤F89094""#))
            let nonsense = try await browser.get("/scan?q=hello")
            #expect(nonsense.status == .notFound && !nonsense.body.contains(#"<input name="plate" value="#))
        }
    }

    @Test("violations are found by driver and by code, within a status", arguments: Backend.allCases)
    func violations(_ backend: Backend) async throws {
        let shop = try WebHarness(backend: backend)
        _ = try shop.desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:30", purpose: "road-test")
        _ = try shop.desk.addViolation(plate: "京A12345", at: "2026-11-20 10:12", code: "1625", points: nil, fine: nil, location: "东三环北路", recordNo: "R-1")
        _ = try shop.desk.addViolation(plate: "沪B88888", at: "2026-11-20 11:00", code: "1039", points: nil, fine: nil, location: "朝阳路", recordNo: "R-2")
        try await shop.test { browser in
            let byDriver = try await browser.get("/violations?q=%E7%8E%8B%E7%A3%8A").body   // 王磊
            #expect(byDriver.contains(">#1</a>") && !byDriver.contains(">#2</a>"))
            let byCode = try await browser.get("/violations?q=1039&status=open").body
            #expect(byCode.contains(">#2</a>") && !byCode.contains(">#1</a>"))
            #expect(byCode.contains(#"<input type="hidden" name="status" value="open">"#), "the search keeps the status")
        }
    }
}

@Suite("Web: the removal of a registration, guided")
struct RemovalPageTests {
    @Test("paying the last fine links the registration to remove; its page shows the owner's text in his language, the path in 12123 and the button", arguments: Backend.allCases)
    func removal(_ backend: Backend) async throws {
        let shop = try WebHarness(now: "2026-11-20 18:00", backend: backend)
        let desk = shop.desk
        let ref = try desk.invite(plate: "京A12345", staff: "王磊", method: "qr").view.registration.ref
        _ = try desk.confirmRegistration(ref: ref, at: nil)
        _ = try desk.logMovement(plate: "京A12345", staff: "王磊", from: "2026-11-20 10:00", to: "2026-11-20 10:30", purpose: "road-test")
        let v = try desk.addViolation(plate: "京A12345", at: "2026-11-20 10:12", code: "1625", points: nil, fine: nil, location: "东三环北路", recordNo: "R-1")
        _ = try desk.processViolation(String(v.id), window: true, at: "2026-11-20 17:00")
        try await shop.test { browser in
            let invited = try await browser.get("/invites/\(ref)").body
            #expect(!invited.contains("请车主解除备案"), "an active registration is not asked to be removed")
            let paid = try await browser.post("/violations/\(v.id)/pay", ["method": "wechat", "payer": "driver", "at": "2026-11-20 17:30"])
            #expect(paid.status == .seeOther)
            let answer = try await browser.get(try #require(paid.location)).body
            #expect(answer.contains("备案 \(ref) 应当解除"), "\(answer)")
            #expect(answer.contains(#"<a class="button primary" href="/invites/\#(ref)">去解除备案</a>"#))
            let page = try await browser.get("/invites/\(ref)").body
            #expect(page.contains("请车主解除备案") && page.contains("查看被他人备案记录"))
            #expect(page.contains("员工王磊在您的车辆京A12345上的交管12123非本人机动车备案（\(ref)）已无需保留"))
            #expect(!page.contains("Dear 张伟"), "Chinese only")
            #expect(page.contains(#"<dt>应解除起</dt>"#) && page.contains(#"<dt>备案生效</dt>"#))
            #expect(page.contains(#"action="/invites/\#(ref)/remove""#) && page.contains("车主已解除，记录"))
            let english = try await browser.get("/invites/\(ref)?text=en").body
            #expect(english.contains("Dear 张伟") && !english.contains("张伟您好"))
            #expect(try await browser.post("/invites/\(ref)/remove", [:]).status == .seeOther)
            #expect(try shop.desk.registrationList(status: nil).first { $0.ref == ref }?.status == "removed")
        }
    }

    @Test("an invite not yet confirmed is cancelled with “取消邀请”, not “removed”")
    func cancel() async throws {
        let shop = try WebHarness()
        let ref = try shop.desk.invite(plate: "京A12345", staff: "王磊", method: "qr").view.registration.ref
        try await shop.test { browser in
            let page = try await browser.get("/invites/\(ref)").body
            #expect(page.contains(">取消邀请</button>") && !page.contains("已在12123解除"))
            #expect(page.contains(#"<dt>有效期至</dt>"#) && page.contains(#"<dt>邀请时间</dt>"#))
            #expect(page.contains("打印小票（80 毫米）") && !page.contains(">PNG<"))
        }
    }
}
