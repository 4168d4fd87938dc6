import DriverDeskCore
import Testing

/// Key tags a USB scanner in keyboard mode can type, and what the scanner field makes of what it typed.
@Suite("Scans: key tag tokens and what a scanner typed")
struct ScanReadingTests {
    /// Every shape of plate: regular, new-energy small and large, 挂, 学, 警, embassy.
    static let plates: [(plate: String, token: String)] = [
        ("京A12345", "BJ-A12345"), ("京HDG3897", "BJ-HDG3897"), ("粤BD12345", "GD-BD12345"), ("沪A12345D", "SH-A12345D"),
        ("京A1234挂", "BJ-A1234-GUA"), ("京A1234学", "BJ-A1234-XUE"), ("苏E1234警", "JS-E1234-JING"), ("使014578", "SHI-014578"),
        ("琼B12345", "HI-B12345"), ("蒙K1234F", "NM-K1234F"),
    ]

    @Test("a plate's token is ASCII, reads back as the plate, in either case", arguments: plates)
    func token(_ plate: String, _ expected: String) throws {
        let token = KeyTagToken.token(of: try Plate(plate))
        #expect(token == expected)
        #expect(token.allSatisfy { $0.isASCII })
        #expect(KeyTagToken.plate(of: token)?.text == plate)
        #expect(KeyTagToken.plate(of: token.lowercased())?.text == plate)
    }

    @Test("every province has its own token letters, and no token is read as an invite reference")
    func everyProvince() throws {
        let plates = try Plate.provinces.filter { $0 != "使" }.map { try Plate("\($0)A12345") }
        let tokens = plates.map(KeyTagToken.token(of:))
        #expect(Set(tokens).count == plates.count)
        for (plate, token) in zip(plates, tokens) {
            #expect(KeyTagToken.plate(of: token) == plate)
            #expect(InviteRef.find(in: token) == nil, "\(token)")
            #expect(ScanReading(token + " " + plate.text) == .keyTag(plate))
        }
    }

    @Test("not a token: a plate, a ref, a word, a token of an impossible plate",
          arguments: ["京A12345", "INV-7K3Q-9XZP", "BJ", "BJ-", "XX-A12345", "BJ-A12345-", "BJ-A1234-FOO", "BJ-AI2345", "BJ-A12345-GUA", "HELLO-WORLD"])
    func notAToken(_ text: String) {
        #expect(KeyTagToken.plate(of: text) == nil)
    }

    @Test("what a scanner typed: an invite, a key tag, a whole plate, a plate that lost its Chinese characters, or nothing")
    func readings() throws {
        #expect(ScanReading("INV-7K3Q-9XZP 测试汽修：请车主… / please register") == .invite(ref: "INV-7K3Q-9XZP"))
        #expect(ScanReading("BJ-HDG3897 HDG3897") == .keyTag(try Plate("京HDG3897")))
        #expect(ScanReading("bj-hdg3897") == .keyTag(try Plate("京HDG3897")))
        #expect(ScanReading("京HDG3897") == .plate(try Plate("京HDG3897")))
        #expect(ScanReading("HDG3897") == .partial(letters: "HDG3897", garbled: false))
        #expect(ScanReading("hdg 3897") == .partial(letters: "HDG3897", garbled: false))
        #expect(ScanReading("鈭斫DG3897") == .partial(letters: "DG3897", garbled: true))
        #expect(ScanReading("莠ｬA1234蟄ｦ") == .partial(letters: "A1234", garbled: true))
        #expect(ScanReading("A1234") == .partial(letters: "A1234", garbled: false))
        for nothing in ["", "   ", "1234", "hello world", "A12345678", "please register"] {
            #expect(ScanReading(nothing) == .nothing, "\(nothing)")
        }
    }

    @Test("a partial reading stands for the plates with its letters, or one more in front after garbage")
    func matches() {
        let typed = ScanReading("HDG3897")
        #expect(typed.matches("京HDG3897") && typed.matches("沪HDG3897"))
        #expect(!typed.matches("京DG3897X") && !typed.matches("粤BHDG3897"))
        #expect(ScanReading("A1234").matches("京A1234挂"))
        let garbled = ScanReading("鈭斫DG3897")
        #expect(garbled.matches("京HDG3897") && garbled.matches("沪ADG3897") && !garbled.matches("京HA1DG3897"))
        #expect(!ScanReading("DG3897").matches("京HDG3897"), "without garbage no character was swallowed")
        #expect(!ScanReading("京A12345").matches("京A12345"), "a whole plate is not a partial reading")
    }
}
