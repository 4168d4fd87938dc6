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
