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
        ("", "required"), ("A12345", "province"), ("京12345", "authority"), ("京A1234", "7, or 8"),
        ("京A1234I", "I and O"), ("京AO2345", "I and O"), ("京A12345学", "takes the place"), ("京A12学45", "cannot stand"),
        ("京AX12345", "new-energy"), ("京AD1234X", "small new-energy"), ("京A1234XD", "large new-energy"), ("使01457", "embassy"),
        ("京A12;45", "cannot stand"),
    ])
    func malformed(_ raw: String, _ why: String) {
        #expect {
            try Plate(raw, field: "plate")
        } throws: { error in
            guard let error = error as? DeskError, case .invalid(let field, let message, _) = error else { return false }
            return field == "plate" && message.contains(why) && error.exitCode == 2
        }
    }
}
