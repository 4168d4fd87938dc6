// libFuzzer target: Plate parsing (R10). Built by scripts/fuzz.sh with `swift build --sanitize=fuzzer --sanitize=address`.
// No top-level code: with the fuzzer sanitizer libFuzzer's `main` drives `LLVMFuzzerTestOneInput`.
import DriverDeskCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = Plate.normalise(text)
    guard let plate = try? Plate(text) else { return 0 }
    // What is accepted is normal, 7 or 8 characters, starts with a province, and reads back as itself.
    precondition(Plate.normalise(plate.text) == plate.text, "normalising \(plate.text) changes it")
    precondition(plate.text.count == 7 || plate.text.count == 8, "\(plate.text) has \(plate.text.count) characters")
    precondition(Plate.provinces.contains(plate.text.first!), "\(plate.text) does not start with a province")
    precondition((try? Plate(plate.text)) == plate, "\(plate.text) does not parse back to itself")
    return 0
}
