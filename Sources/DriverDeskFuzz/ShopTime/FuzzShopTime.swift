// libFuzzer target: ShopTime.parse and CivilDate(parsing:) (R10). See scripts/fuzz.sh and ParserChecks.
import DriverDeskCore
import Foundation
import ParserChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    if let problem = ParserChecks.time(Data(bytes: start, count: count)) { preconditionFailure(problem) }
    return 0
}
