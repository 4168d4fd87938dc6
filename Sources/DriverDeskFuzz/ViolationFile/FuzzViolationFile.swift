// libFuzzer target: ViolationFile.read(data:time:now:), the streaming camera-record reader. See scripts/fuzz.sh
// and ParserChecks (reading in small chunks is compared only by ReliabilityTests: it is slow).
import Foundation
import ParserChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    if let problem = ParserChecks.violationFile(Data(bytes: start, count: count)) { preconditionFailure(problem) }
    return 0
}
