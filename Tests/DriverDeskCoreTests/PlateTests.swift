import DriverDeskCore
import Testing

@Suite("Plates (R10)")
struct PlateTests {
    @Test("any reasonable spelling normalises to the plate", arguments: [
        "京A12345", "京a12345", "京a 12345", "京A·12345", "京A-12345", "京A.12345", " 京A12345 ", "京Ａ１２３４５", "京A・12345",
    ])
    func spellings(_ raw: String) throws {
        #expect(try Plate(raw).text == "京A12345")
        #expect(try Plate(raw).kind == .regular)
    }

    @Test("regular, new-energy, suffixed and embassy plates are accepted")
    func kinds() throws {
        #expect(try Plate("沪B5C8D9").kind == .regular)
        #expect(try Plate("粤BD12345").kind == .newEnergySmall)
        #expect(try Plate("粤BFA1234").kind == .newEnergySmall)
        #expect(try Plate("粤B12345D").kind == .newEnergyLarge)
        #expect(try Plate("京A1234学").text == "京A1234学")
        #expect(try Plate("冀A1234挂").kind == .regular)
        #expect(try Plate("粤Z1234港").kind == .regular)
        #expect(try Plate("使014578").kind == .embassy)
    }

    @Test("malformed plates are refused naming the field", arguments: [
        ("", "input.plate.required"), ("A12345", "input.plate.province"), ("京12345", "input.plate.authority"), ("京A1234", "input.plate.length"),
        ("京A1234I", "input.plate.letterIO"), ("京AO2345", "input.plate.letterIO"), ("京A12345学", "input.plate.suffix"), ("京A12学45", "input.plate.serial"),
        ("京AX12345", "input.plate.newEnergy"), ("京AD1234X", "input.plate.newEnergySmall"), ("京A1234XD", "input.plate.newEnergyLarge"), ("使01457", "input.plate.embassy"),
        ("京A12;45", "input.plate.serial"),
    ])
    func malformed(_ raw: String, _ why: String) {
        #expect {
            try Plate(raw, field: "plate")
        } throws: { error in
            guard let error = error as? DeskError, case .invalid(let field, let reason, _) = error else { return false }
            return field == "plate" && reason.code == why && (raw.isEmpty || reason.arguments["raw"] == .text(raw)) && error.exitCode == 2
        }
    }
}
