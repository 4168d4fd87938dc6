// libFuzzer target: CSVReader (RFC 4180 quoting, CRLF, BOM). See scripts/fuzz.sh.
import DriverDeskCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let records = try? CSVReader(text: text).records() else { return 0 }
    // Records come in file order, each on a real line, none of them blank.
    var previous = 0
    for record in records {
        precondition(record.line > previous, "line \(record.line) after \(previous)")
        precondition(!record.fields.isEmpty && !(record.fields.count == 1 && record.fields[0].isEmpty), "a blank record at line \(record.line)")
        previous = record.line
    }
    return 0
}
