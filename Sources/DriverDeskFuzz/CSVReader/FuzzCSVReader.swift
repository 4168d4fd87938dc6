// libFuzzer target: the CSV reader. See scripts/fuzz.sh and ParserChecks.
import Foundation
import ParserChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    if let problem = ParserChecks.csv(Data(bytes: start, count: count)) { preconditionFailure(problem) }
    return 0
}
