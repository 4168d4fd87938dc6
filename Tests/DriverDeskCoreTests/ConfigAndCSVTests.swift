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

@Suite("CSV")
struct CSVTests {
    @Test("quotes, doubled quotes, CRLF, a BOM, blank lines and multi-line fields")
    func parses() throws {
        let text = "\u{FEFF}plate,location\r\n京A12345,\"北京, 朝阳\"\r\n\r\n沪B1,\"say \"\"hi\"\"\"\n粤C1,\"two\nlines\"\n粤D1,last"
        let records = try CSVReader(text: text).records()
        #expect(records.map(\.fields) == [["plate", "location"], ["京A12345", "北京, 朝阳"], ["沪B1", "say \"hi\""], ["粤C1", "two\nlines"], ["粤D1", "last"]])
        #expect(records.map(\.line) == [1, 2, 4, 5, 7])
    }

    @Test("an unterminated quote names its line")
    func unterminated() {
        #expect {
            try CSVReader(text: "a,b\n1,\"open\n2,3\n").records()
        } throws: { error in
            guard case .invalid(_, _, let line) = error as? DeskError else { return false }
            return line == 2
        }
    }
}
