import DriverDeskCore
@testable import DriverDeskApp
@testable import DriverDeskStore
import Foundation
import StoreHarness
import Testing

/// "Who drove" reads its facts in one go (on a chain, one statement: the car, the settings, the movements within the
/// largest slack allowed, the last visit) and picks with the shop's slack; it must answer exactly as the step-by-step
/// reads that recording a violation makes.
@Suite("Who drove: the facts read at once answer as the step-by-step reads")
struct CustodyFactsTests {
    @Test("every five minutes of a morning, with slacks of 0, 10, 45 and 120 minutes, parking or not", arguments: Backend.allCases)
    func sameAnswers(_ backend: Backend) throws {
        let shop = try Shop(backend)
        let car = shop.plate("京A12345")
        _ = try shop.db.checkin(plate: car, at: shop.at("08:00"), orderNo: "WO1", context: shop.context)
        for (staff, from, to) in [("王磊", "08:30", "08:40"), ("李强", "09:20", "09:35"), ("王磊", "10:05", "10:10"), ("李强", "10:10", "10:12"),
                                  ("王磊", "11:30", "11:45")] {
            _ = try shop.db.logMovement(plate: car, staff: staff, purpose: .roadTest, from: shop.at(from), to: shop.at(to), context: shop.context)
        }
        _ = try shop.db.checkout(plate: car, at: shop.at("12:00"), context: shop.context)
        var compared = 0
        var kinds = Set<String>()
        for slack in [0, 10, 45, 120] {
            _ = try shop.db.setConfig(key: "attribution.slackMinutes", value: String(slack), context: shop.context)
            for minute in stride(from: 7 * 60 + 30, through: 12 * 60 + 30, by: 5) {
                let at = shop.at(String(format: "%02d:%02d", minute / 60, minute % 60))
                for parking in [false, true] {
                    let (vehicle, answer) = try shop.db.attribution(plate: car, at: at, isParking: parking)
                    let expected = try shop.db.reading { tx in
                        try tx.attribution(vehicleId: vehicle.id!, plate: vehicle.plate, at: at, isParking: parking, config: try tx.config())
                    }
                    #expect(answer == expected, "slack \(slack), \(minute / 60):\(minute % 60), parking \(parking)")
                    kinds.insert(answer.kind.rawValue)
                    compared += 1
                }
            }
        }
        #expect(compared == 4 * 61 * 2)
        // The morning reaches every kind of answer but a manual one.
        #expect(kinds.isSuperset(of: ["movement", "parked", "outsideCustody"]), "\(kinds)")
        // A car the shop does not have is refused as every command refuses it.
        #expect(throws: DeskError.self) { try shop.db.attribution(plate: shop.plate("粤Z99999"), at: shop.at("09:00"), isParking: false) }
    }
}
