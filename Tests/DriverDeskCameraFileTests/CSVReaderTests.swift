import DriverDeskCameraFile
import DriverDeskCore
import Testing

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
