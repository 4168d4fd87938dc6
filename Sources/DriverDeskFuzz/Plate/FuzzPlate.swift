// libFuzzer target: Plate parsing (R10). Built by scripts/fuzz.sh with `swift build --sanitize=fuzzer --sanitize=address`.
// No top-level code: with the fuzzer sanitizer libFuzzer's `main` drives `LLVMFuzzerTestOneInput`.
// The checks are ParserChecks' (Sources/DriverDeskFuzz/Checks), shared with ReliabilityTests.
import DriverDeskCore
import Foundation
import ParserChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    if let problem = ParserChecks.plate(Data(bytes: start, count: count)) { preconditionFailure(problem) }
    return 0
}
