import DriverDeskCore
import Foundation
import Testing

/// Issue 29: a driver on his own phone. What his role allows, what a key tag's link offers him, what his violations
/// ask of him, how long his session lasts, and the link a key tag holds.
@Suite("Drivers' phones: the driver role, key tag links, what a violation asks of him")
struct DriverRulesTests {
    let wang = StaffRef(id: 1, name: "王磊"), li = StaffRef(id: 2, name: "李强")
    let start = Date(timeIntervalSince1970: 1_795_600_000)

    @Test("a driver may start and end only his own movements: nothing of the shop to read, no front desk, no manager's work; nobody else has that permission")
    func permissions() throws {
        for permission in Permission.allCases {
            #expect(Role.driver.allows(permission) == (permission == .drive), "driver: \(permission)")
        }
        for role in Role.allCases where role != .driver {
            #expect(!role.allows(.drive), "\(role) may drive as a driver")
            #expect(role.allows(.read), "\(role) reads the shop")
        }
        #expect(throws: DeskError.self) { try Actor.account(name: "wang", role: .driver, staffId: 1).check(.read) }
        #expect(throws: DeskError.self) { try Actor.account(name: "wang", role: .driver, staffId: 1).check(.frontDesk) }
        #expect(throws: Never.self) { try Actor.account(name: "wang", role: .driver, staffId: 1).check(.drive) }
        #expect(throws: DeskError.self) { try Actor.account(name: "anna", role: .desk).check(.drive) }
        #expect(try Role.parse(" Driver ") == .driver)
    }

    @Test("a driver's account names its staff member, who must still be employed; other roles need none")
    func accountNeedsStaff() throws {
        #expect(DeskError.field(of: { try AccountRules.checkStaff(role: .driver, staffGiven: false, staffActive: nil) }) == "staff")
        #expect(DeskError.field(of: { try AccountRules.checkStaff(role: .driver, staffGiven: true, staffActive: false) }) == "staff")
        try AccountRules.checkStaff(role: .driver, staffGiven: true, staffActive: true)
        try AccountRules.checkStaff(role: .desk, staffGiven: false, staffActive: nil)
        try AccountRules.checkStaff(role: .manager, staffGiven: true, staffActive: false)
    }

    @Test("a key tag's link: a free car in the shop offers start; his own movement offers end; another's is refused naming who since when; a car not checked in is refused")
    func move() throws {
        #expect(try DriverRules.move(me: wang, plate: "京A12345", checkedIn: true, driven: nil) == .start)
        let mine = MovementSpan(id: 7, plate: "京A12345", staff: wang, start: start, end: nil, purpose: .roadTest)
        #expect(try DriverRules.move(me: wang, plate: "京A12345", checkedIn: true, driven: mine) == .end(mine))
        let his = MovementSpan(id: 8, plate: "京A12345", staff: li, start: start, end: nil, purpose: .parking)
        let refusal = try #require(DeskError.refusal(of: { _ = try DriverRules.move(me: wang, plate: "京A12345", checkedIn: true, driven: his) }))
        #expect(refusal.rule == "R1")
        #expect(refusal.reasons.map(\.code) == ["movement.beingDriven", "driver.notYours"])
        #expect(refusal.reasons[0].arguments["staff"] == .text("李强") && refusal.reasons[0].arguments["since"] == .time(start))
        let away = try #require(DeskError.refusal(of: { _ = try DriverRules.move(me: wang, plate: "京A12345", checkedIn: false, driven: nil) }))
        #expect(away.reasons.map(\.code) == ["driver.notInShop"])
        // Ending: nobody drives it, or someone else does.
        #expect(DeskError.refusal(of: { _ = try DriverRules.checkEnd(me: wang, plate: "京A12345", driven: nil) })?.reasons.map(\.code) == ["movement.nobodyDriving"])
        #expect(DeskError.refusal(of: { _ = try DriverRules.checkEnd(me: wang, plate: "京A12345", driven: his) })?.reasons.last?.code == "driver.notYours")
        #expect(try DriverRules.checkEnd(me: wang, plate: "京A12345", driven: mine) == mine)
    }

    @Test("what each next action asks of the driver, with its dates and money")
    func todo() {
        let day = CivilDate(year: 2026, month: 12, day: 9)!
        #expect(DriverRules.todo(.process, onlineFrom: day, dueDate: nil, totalDueFen: nil) == Message("driver.todo.processFrom", ["from": .day(day)]))
        #expect(DriverRules.todo(.process, onlineFrom: nil, dueDate: nil, totalDueFen: nil).code == "driver.todo.process")
        #expect(DriverRules.todo(.window, onlineFrom: nil, dueDate: nil, totalDueFen: nil).code == "driver.todo.window")
        #expect(DriverRules.todo(.pay, onlineFrom: nil, dueDate: day, totalDueFen: 20_000) == Message("driver.todo.pay", ["due": .day(day), "total": .fen(20_000)]))
        #expect(DriverRules.todo(.overdue, onlineFrom: nil, dueDate: day, totalDueFen: 20_600).code == "driver.todo.overdue")
        for next in [NextAction.review, .invite] { #expect(DriverRules.todo(next, onlineFrom: nil, dueDate: nil, totalDueFen: nil).code == "driver.todo.desk") }
    }

    @Test("a driver's session lasts his shift without an idle limit (he logs in once a day); the desk's ends after 30 idle minutes away from its PC")
    func session() {
        let driver = SessionRules(shiftHours: 10, loopback: false, role: .driver), desk = SessionRules(shiftHours: 10, loopback: false, role: .desk)
        let login = start
        #expect(driver.ending(loggedIn: login, lastSeen: login, now: login.addingTimeInterval(4 * 3600)) == nil)
        #expect(driver.ending(loggedIn: login, lastSeen: login, now: login.addingTimeInterval(10 * 3600)) == .shift)
        #expect(desk.ending(loggedIn: login, lastSeen: login, now: login.addingTimeInterval(31 * 60)) == .idle)
        #expect(SessionRules(shiftHours: 10, loopback: true, role: .desk) == SessionRules(shiftHours: 10, loopback: true))
    }

    @Test("a key tag's link holds the address and the token in ASCII; the scan field finds the token inside it in any case, before any invite reference; old tags still read")
    func links() throws {
        let plate = try Plate("京A1234挂")
        let link = KeyTagToken.link(base: "https://192.168.1.20:8443", plate: plate)
        #expect(link == "https://192.168.1.20:8443/k/BJ-A1234-GUA")
        #expect(link.allSatisfy { $0.isASCII })
        #expect(ScanReading(link) == .keyTag(plate))
        #expect(ScanReading(link.uppercased()) == .keyTag(plate))
        #expect(ScanReading("http://desk.local/k/bj-a1234-gua?x=1") == .keyTag(plate))
        // An address whose letters could make an invite reference is still a key tag's link.
        let a12345 = try Plate("京A12345")
        #expect(ScanReading("https://inv7k3q9xzp.example/k/BJ-A12345") == .keyTag(a12345))
        // A link whose token names no plate is not a key tag, and an old tag's payload still reads.
        #expect(KeyTagToken.plate(inLink: "https://x.example/k/XX-A12345") == nil)
        #expect(KeyTagToken.plate(inLink: "BJ-A12345 京A12345") == nil)
        #expect(ScanReading("BJ-A12345 京A12345") == .keyTag(a12345))
    }

    @Test("web.publicURL: http or https, a host, a port and a path, ASCII; stored without its trailing slash; anything else refused naming the setting",
          arguments: [("https://192.168.1.20:8443/", "https://192.168.1.20:8443"), ("HTTP://Desk.Example", "http://Desk.Example"), ("", ""),
                      ("http://[fe80::1]:8080/desk", "http://[fe80::1]:8080/desk")])
    func publicURL(_ raw: String, _ stored: String) throws {
        #expect(try Config.setting("web.publicURL").normalise(raw) == stored)
    }

    @Test("web.publicURL refuses what a phone could not open as the shop's address",
          arguments: ["ftp://desk", "desk.example", "https://", "https://a b", "https://桌面.中国", "https://desk/?x=1", "https://desk/#k", "https://user:pw@desk", "https://-bad-.example"])
    func publicURLRefused(_ raw: String) throws {
        #expect(DeskError.field(of: { _ = try Config.setting("web.publicURL").normalise(raw) }) == "web.publicURL")
    }
}

extension DeskError {
    /// The field an input error names, or nil when `body` throws none.
    static func field(of body: () throws -> Void) -> String? {
        do { try body() } catch let error as DeskError { return error.field } catch { return nil }
        return nil
    }

    /// A rule's refusal, or nil.
    static func refusal(of body: () throws -> Void) -> (rule: String, reasons: [Message])? {
        do { try body() } catch DeskError.refusedWith(let rule, let reasons) { return (rule, reasons) } catch { return nil }
        return nil
    }
}
