// libFuzzer target: resident ID numbers (R10, R12). See scripts/fuzz.sh.
import DriverDeskCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = IDNumber.mask(text)
    guard let id = try? IDNumber(text) else { return 0 }
    // Accepted: 18 characters, the check character agrees, and it is never shown whole by description.
    precondition(id.text.count == 18 && id.text.utf8.count == 18, "\(id.masked) is not 18 ASCII characters")
    precondition(IDNumber.checkCharacter(for: String(id.text.prefix(17))) == id.text.last, "check character of \(id.masked)")
    precondition(id.description == id.masked && !id.masked.contains(String(id.text.dropFirst(6).prefix(8))) , "\(id.masked) shows the birth date")
    precondition(id.masked.filter { $0 == "*" }.count == 8, "mask of \(id.masked)")
    _ = id.birthDate
    precondition((try? IDNumber(id.text)) == id, "\(id.masked) does not parse back to itself")
    return 0
}
