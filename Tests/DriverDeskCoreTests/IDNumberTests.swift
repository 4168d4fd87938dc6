import DriverDeskCore
import Testing

@Suite("ID numbers (R10, R12)")
struct IDNumberTests {
    @Test("a valid number passes, with its birth date; a lower-case x is made upper case")
    func valid() throws {
        let id = try IDNumber("11010519491231002X".lowercased())
        #expect(id.text == "11010519491231002X")
        #expect(id.birthDate == CivilDate(year: 1949, month: 12, day: 31))
        #expect(try IDNumber("110105198803124111").text == "110105198803124111")
    }

    @Test("the check character is ISO 7064 MOD 11-2")
    func checkCharacter() {
        #expect(IDNumber.checkCharacter(for: "11010519491231002") == "X")
        #expect(IDNumber.checkCharacter(for: "11010519880312411") == "1")
    }

    @Test("a wrong check character is refused and the right one named")
    func wrongCheck() {
        #expect {
            try IDNumber("110105198803124112")
        } throws: { error in
            guard case .invalid(let field, let reason, _) = error as? DeskError else { return false }
            return field == "id-number" && reason == Message("input.idNumber.check", ["typed": .text("2"), "expected": .text("1")])
        }
    }

    @Test("impossible birth dates, wrong lengths and letters are refused", arguments: [
        "110105199002304113", "110105198813124111", "11010519880312411", "1101051988031241111", "11010519880312411Y", "A10105198803124111",
        "010105198803124111", "110105180003124111",
    ])
    func malformed(_ raw: String) {
        #expect(throws: DeskError.self) { try IDNumber(raw) }
    }

    @Test("masking keeps 6 and 4 characters; description never shows the whole number")
    func masking() throws {
        let id = try IDNumber("11010519491231002X")
        #expect(id.masked == "110105********002X")
        #expect("\(id)" == "110105********002X")
        #expect(!"\(id)".contains("19491231"))
    }

    @Test("an ID number echoed in any message is masked; other digits are left alone")
    func maskingInMessages() {
        #expect(IDNumber.maskAll(in: "there is no staff member #110105198803124111; see staff list") == "there is no staff member #110105********4111; see staff list")
        #expect(IDNumber.maskAll(in: "11010519491231002X and 11010519491231002x.") == "110105********002X and 110105********002x.")
        #expect(IDNumber.maskAll(in: "phone 13911020001, record 1234567890123456789") == "phone 13911020001, record 1234567890123456789")
        #expect(IDNumber.maskAll(in: "11010519491231002XY") == "11010519491231002XY")
        #expect(DeskError.notFound(field: "staff", reason: Message("notFound.staffName", ["name": .text("#110105198803124111")])).localizedDescription
                == "staff: notFound.staffName(name: \"#110105********4111\")")
    }
}

@Suite("Licence classes and purposes")
struct LicenseClassTests {
    @Test func parses() throws {
        #expect(try LicenseClass(parsing: "c1") == .C1)
        #expect(try LicenseClass(parsing: " A2 ") == .A2)
        #expect(throws: DeskError.self) { try LicenseClass(parsing: "C7") }
        #expect(throws: DeskError.self) { try LicenseClass(parsing: "") }
        #expect(try MovementPurpose(parsing: "Road-Test") == .roadTest)
        #expect(throws: DeskError.self) { try MovementPurpose(parsing: "joyride") }
    }
}
