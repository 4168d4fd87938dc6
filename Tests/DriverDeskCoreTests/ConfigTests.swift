import DriverDeskCore
import Testing

@Suite("Settings")
struct ConfigTests {
    @Test("defaults are the rulebook's numbers")
    func defaults() {
        let config = Config()
        #expect(config.int("attribution.slackMinutes") == 10)
        #expect(config.int("invite.expiryDays") == 7)
        #expect(config.bool("rules.registrationMustPrecedeViolation"))
        #expect(!config.bool("invite.showIdNumber"))
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
