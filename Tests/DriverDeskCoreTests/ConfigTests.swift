import Foundation
import DriverDeskCore
import Testing

@Suite("Settings")
struct ConfigTests {
    @Test("defaults are the rulebook's numbers")
    func defaults() {
        let config = Config()
        #expect(config.int(.attributionSlackMinutes) == 10)
        #expect(config.int(.inviteExpiryDays) == 7)
        #expect(config.bool(.rulesRegistrationMustPrecedeViolation))
        #expect(!config.bool(.inviteShowIdNumber))
        #expect(config.time.zone.identifier == "Asia/Shanghai")
    }

    @Test("values are checked and normalised; unknown keys named")
    func normalise() throws {
        #expect(try Config.setting("attribution.slackMinutes").normalise(" 15 ") == "15")
        #expect(try Config.setting("invite.showIdNumber").normalise("yes") == "true")
        #expect(throws: DeskError.self) { try Config.setting("attribution.slackMinutes").normalise("-1") }
        #expect(throws: DeskError.self) { try Config.setting("attribution.slackMinutes").normalise("ten") }
        #expect(throws: DeskError.self) { try Config.setting("shop.timeZone").normalise("Asia/Beijing") }
        #expect {
            try Config.setting("attribution.slack")
        } throws: { ($0 as? DeskError)?.field == "key" && "\($0.localizedDescription)".contains("attribution.slackMinutes") }
    }
}

@Suite("Settings are typed")
struct SettingKeyTests {
    @Test("every setting has a key of SettingKey and every key a setting; values read by key, defaults filled in")
    func keys() {
        #expect(Config.settings.map(\.key) == SettingKey.allCases.map(\.rawValue))
        let config = Config(stored: ["limits.activePerStaff": "2", "no.such.key": "9"])
        #expect(config.int(.limitsActivePerStaff) == 2)
        #expect(config.int(.inviteExpiryDays) == 7)
        #expect(config.bool(.rulesNoSameDayProcessing))
        #expect(config.value("no.such.key") == "", "an unknown stored key is dropped, not read")
    }
}

@Suite("Accounts: roles, names, passwords, the lockout and the session's end")
struct AccountRulesTests {
    @Test("what each role may do")
    func roles() {
        let table: [Role: Set<Permission>] = [
            .desk: [.read, .frontDesk], .manager: [.read, .frontDesk, .manage, .report, .accounts], .chain: [.read, .report, .accounts], .driver: [.drive],
        ]
        for role in Role.allCases {
            #expect(Set(Permission.allCases.filter { role.allows($0) }) == table[role], "\(role)")
        }
        #expect(throws: Never.self) { try Actor.administrator.check(.manage) }
        #expect { try Actor.account(name: "anna", role: .desk).check(.manage) } throws: { ($0 as? DeskError)?.exitCode == 1 }
    }

    @Test("names and passwords")
    func namesAndPasswords() throws {
        #expect(try AccountRules.name(" 店长 ") == "店长")
        #expect(try AccountRules.name("li.qiang_2") == "li.qiang_2")
        for bad in ["", "a b", "x/y", String(repeating: "a", count: 33), "<script>", "anna\u{0}"] {
            #expect(throws: DeskError.self) { try AccountRules.name(bad) }
        }
        #expect(throws: Never.self) { try AccountRules.checkPassword("Anna-front-2026", name: "anna", isCommon: false) }
        #expect(throws: DeskError.self) { try AccountRules.checkPassword("123456789", name: "anna", isCommon: false) }
        #expect(throws: DeskError.self) { try AccountRules.checkPassword("Anna-front-2026", name: "anna", isCommon: true) }
        #expect(throws: DeskError.self) { try AccountRules.checkPassword("Longer-Name", name: "longer-name", isCommon: false) }
        #expect(throws: DeskError.self) { try AccountRules.checkPassword(String(repeating: "x", count: 201), name: "anna", isCommon: false) }
        #expect(throws: Never.self) { try AccountRules.checkNew(name: "anna", taken: false) }
        #expect { try AccountRules.checkNew(name: "anna", taken: true) } throws: { ($0 as? DeskError)?.field == "name" }
        #expect(throws: Never.self) { try AccountRules.checkDisable(name: "anna", active: true) }
        #expect { try AccountRules.checkDisable(name: "anna", active: false) } throws: { ($0 as? DeskError)?.exitCode == 1 }
        #expect(AccountRules.operatorName(account: "anna", staff: "王磊") == "anna (王磊)")
        #expect(AccountRules.operatorName(account: "王磊", staff: "王磊") == "王磊")
    }

    @Test("five failures within 15 minutes lock until the oldest of them leaves the window")
    func lockout() {
        let rule = LoginLockout.standard, t0 = Date(timeIntervalSince1970: 1_795_000_000)
        let failures = (0..<5).map { t0.addingTimeInterval(Double($0) * 60) }
        #expect(rule.lockedUntil(Array(failures.prefix(4)), now: t0.addingTimeInterval(300)) == nil)
        #expect(rule.lockedUntil(failures, now: t0.addingTimeInterval(300)) == t0.addingTimeInterval(900))
        #expect(rule.lockedUntil(failures, now: t0.addingTimeInterval(899)) == t0.addingTimeInterval(900))
        #expect(rule.lockedUntil(failures, now: t0.addingTimeInterval(900)) == nil)
        // Seven failures: the lock lifts when only four are left in the window.
        let seven = (0..<7).map { t0.addingTimeInterval(Double($0) * 60) }
        #expect(rule.lockedUntil(seven, now: t0.addingTimeInterval(400)) == t0.addingTimeInterval(120 + 900))
    }

    @Test("a session ends after its shift, and after the idle limit where there is one")
    func sessions() {
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)
        let remote = SessionRules(shift: 10 * 3600, idle: 1800), local = SessionRules(shift: 10 * 3600, idle: nil)
        #expect(remote.ending(loggedIn: t0, lastSeen: t0, now: t0.addingTimeInterval(1799)) == nil)
        #expect(remote.ending(loggedIn: t0, lastSeen: t0, now: t0.addingTimeInterval(1800)) == .idle)
        #expect(local.ending(loggedIn: t0, lastSeen: t0, now: t0.addingTimeInterval(9 * 3600)) == nil)
        #expect(local.ending(loggedIn: t0, lastSeen: t0.addingTimeInterval(35_999), now: t0.addingTimeInterval(36_000)) == .shift)
        // The web's rules from the setting and the client: a loopback browser has no idle limit.
        #expect(SessionRules(shiftHours: 10, loopback: false) == remote && SessionRules(shiftHours: 10, loopback: true) == local)
        // The account: disabled, gone, or a new epoch (new password) ends it; the shift comes first.
        let now = t0.addingTimeInterval(60)
        #expect(remote.ending(loggedIn: t0, lastSeen: t0, now: now, account: (true, 2), loggedInEpoch: 2) == nil)
        #expect(remote.ending(loggedIn: t0, lastSeen: t0, now: now, account: (true, 3), loggedInEpoch: 2) == .account)
        #expect(remote.ending(loggedIn: t0, lastSeen: t0, now: now, account: (false, 2), loggedInEpoch: 2) == .account)
        #expect(remote.ending(loggedIn: t0, lastSeen: t0, now: now, account: nil, loggedInEpoch: 2) == .account)
        #expect(remote.ending(loggedIn: t0, lastSeen: t0, now: t0.addingTimeInterval(36_000), account: nil, loggedInEpoch: 2) == .shift)
    }
}

@Suite("A shop's fine by code, from the settings page's form")
struct FineKeyTests {
    @Test("a code of 4 or 5 digits, for every plate or one province's; anything else refused naming its field")
    func fineKey() throws {
        #expect(try Config.fineKey(code: " 1625 ", province: "") == "fine.1625")
        #expect(try Config.fineKey(code: "13441", province: "京") == "fine.京.13441")
        for (code, province, field) in [("16x", "", "code"), ("162", "", "code"), ("162500", "京", "code"), ("1625", "X", "province"), ("1625", "京沪", "province")] {
            #expect(throws: DeskError.self) { _ = try Config.fineKey(code: code, province: province) }
            do { _ = try Config.fineKey(code: code, province: province) } catch let error as DeskError { #expect(error.field == field, "\(code) \(province)") }
        }
    }
}
