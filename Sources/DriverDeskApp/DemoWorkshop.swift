import DriverDeskCameraFile
import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// Loads `data/demo/` into an empty database and plays four weeks of a workshop's days through the
/// ordinary use cases, so the demo obeys every rule the real thing does. Deterministic for a given `--now`.
public struct DemoWorkshop {
    public let folder: URL
    public var days = 28
    public var seed: UInt64 = 12123

    public init(folder: URL) {
        self.folder = folder
    }

    /// What `demo` made.
    public struct Summary: Codable, Sendable {
        public var shop: String
        public var staff: Int
        public var vehicles: Int
        public var visits: Int
        public var movements: Int
        public var carsInShop: Int
        public var drivingNow: Int
    }

    func table(_ name: String) throws -> [[String: String]] {
        let url = folder.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw DeskError.storage(message: "cannot read \(url.path)")
        }
        let records = try CSVReader(text: text).records()
        guard let header = records.first?.fields else { return [] }
        return records.dropFirst().map { record in
            Dictionary(zip(header, record.fields).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func load(into desk: Desk) throws -> Summary {
        guard try desk.database.isEmpty() else {
            throw DeskError.refusedWith(rule: "demo", reasons: [Message("demo.notEmpty")])
        }
        let shop = Dictionary(try table("shop.csv").map { ($0["key"] ?? "", $0["value"] ?? "") }, uniquingKeysWith: { a, _ in a })
        _ = try desk.initialise(shopName: shop["shop.name"], timeZone: shop["shop.timeZone"])
        var staffIds: [Int64] = []
        for (index, row) in try table("staff.csv").enumerated() {
            do {
                let staff = try desk.addStaff(name: row["name"] ?? "", idNumber: row["id_number"] ?? "", licenseClass: row["license_class"] ?? "",
                                              licenseFirstIssued: row["license_first_issued"] ?? "", licenseValidUntil: row["license_valid_until"] ?? "",
                                              phone: row["phone"])
                staffIds.append(staff.id)
            } catch let error as DeskError {
                throw error.at(line: index + 2)
            }
        }
        var plates: [String] = []
        for (index, row) in try table("vehicles.csv").enumerated() {
            do {
                let vehicle = try desk.addVehicle(plate: row["plate"] ?? "", owner: row["owner"] ?? "", ownerPhone: row["owner_phone"],
                                                  engineLast6: row["engine_last6"], usage: row["usage"], size: row["size"])
                plates.append(vehicle.plate)
            } catch let error as DeskError {
                throw error.at(line: index + 2)
            }
        }
        var counts = (visits: 0, movements: 0)
        try play(desk: desk, plates: plates, staffIds: staffIds, counts: &counts)
        try cameras(desk: desk)
        let status = try desk.status()
        return Summary(shop: status.shop, staff: staffIds.count, vehicles: plates.count, visits: counts.visits,
                       movements: counts.movements, carsInShop: status.carsInShop.count, drivingNow: status.driving.count)
    }

    /// Plays the days: each car comes in now and then, is picked up, road-tested, parked and delivered by whoever is free.
    func play(desk: Desk, plates: [String], staffIds: [Int64], counts: inout (visits: Int, movements: Int)) throws {
        let time = try desk.config().time
        var random = SplitMix64(seed: seed)
        let today = time.civilDate(of: desk.now)
        let firstDay = today.adding(days: -days)
        var busy: [Int64: [(Date, Date)]] = [:]
        let stamp = { (date: Date) in time.format(date) }
        let thisMinute = Date(timeIntervalSince1970: (desk.now.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let nowLimit = thisMinute.addingTimeInterval(-15 * 60)

        func freeStaff(_ start: Date, _ end: Date) -> Int64? {
            let free = staffIds.filter { id in !(busy[id] ?? []).contains { $0.0 < end && start < $0.1 } }
            guard !free.isEmpty else { return nil }
            return free[Int(random.next() % UInt64(free.count))]
        }
        func workday(_ day: CivilDate, minute: Int) -> Date {
            time.date(localSeconds: day.daysSinceEpoch * 86_400 + minute * 60)
        }

        for (carIndex, plate) in plates.enumerated() {
            // The car's odometer and fuel gauge, read at each check-in and check-out (R14); not drawn from the random
            // sequence, so the rest of the demo stays as it was.
            var odometer = 18_000 + (carIndex * 7_919) % 60_000
            var visitOfCar = 0
            // A car's first visit falls somewhere in the weeks; some cars come twice or three times.
            var day = firstDay.adding(days: Int(random.next() % UInt64(days / 2 + 1)))
            let inShopNow = carIndex % 6 == 0
            while day <= today {
                let checkin = workday(day, minute: 8 * 60 + 30 + Int(random.next() % 240))
                guard checkin < nowLimit else { break }
                let stayDays = Int(random.next() % 3)
                let checkoutDay = day.adding(days: stayDays)
                var checkout = workday(checkoutDay, minute: 15 * 60 + Int(random.next() % 180))
                let staysOpen = (inShopNow && checkoutDay >= today.adding(days: -1)) || checkout >= nowLimit
                if staysOpen { checkout = nowLimit }
                let fuelIn = 20 + (carIndex * 37 + visitOfCar * 11) % 70
                _ = try desk.checkin(plate: plate, at: stamp(checkin), orderNo: "WO\(day.year)\(two(day.month))\(two(day.day))-\(100 + carIndex)",
                                     odometer: String(odometer), fuel: String(fuelIn))
                counts.visits += 1
                visitOfCar += 1
                var minutesDriven = 0

                // Movements inside the visit: into a bay, a road test, out to the lot, back for delivery.
                var plan: [(MovementPurpose, Date, Int)] = [(.parking, checkin.addingTimeInterval(TimeInterval(5 + random.next() % 20) * 60), 5 + Int(random.next() % 10))]
                // The road test happens in working hours on a day of the stay.
                let stayDay = day.adding(days: Int(random.next() % UInt64(stayDays + 1)))
                var middle = workday(stayDay, minute: 10 * 60 + Int(random.next() % 300))
                if middle <= checkin.addingTimeInterval(40 * 60) { middle = checkin.addingTimeInterval(TimeInterval(45 + random.next() % 60) * 60) }
                plan.append((.roadTest, middle, 15 + Int(random.next() % 25)))
                plan.append((.parking, middle.addingTimeInterval(TimeInterval(45 + random.next() % 60) * 60), 5 + Int(random.next() % 8)))
                if !staysOpen { plan.append((.delivery, checkout.addingTimeInterval(-TimeInterval(20 + random.next() % 20) * 60), 8 + Int(random.next() % 8))) }
                var lastEnd = checkin
                for (purpose, start, minutes) in plan {
                    let end = start.addingTimeInterval(TimeInterval(minutes * 60))
                    guard start > lastEnd, end < checkout, let staff = freeStaff(start, end) else { continue }
                    do {
                        _ = try desk.logMovement(plate: plate, staff: String(staff), from: stamp(start), to: stamp(end), purpose: purpose.rawValue)
                        busy[staff, default: []].append((start, end))
                        counts.movements += 1
                        minutesDriven += minutes
                        lastEnd = end
                    } catch DeskError.refusedWith {
                        continue
                    }
                }
                if staysOpen { break }
                // Half a km a minute driven; one car of seven, lately, came back with 40 km more than its drives explain.
                let joyride = carIndex % 7 == 3 && checkoutDay >= today.adding(days: -10) ? 40 : 0
                odometer += minutesDriven / 2 + 1 + joyride
                _ = try desk.checkout(plate: plate, at: stamp(checkout), odometer: String(odometer), fuel: String(max(5, fuelIn - minutesDriven / 8)))
                day = checkoutDay.adding(days: 3 + Int(random.next() % 12))
            }
        }

        // Two cars are being driven right now.
        let open = try desk.status().carsInShop.filter { $0.driver == nil }.prefix(2)
        for (index, car) in open.enumerated() {
            let start = thisMinute.addingTimeInterval(-TimeInterval(6 + index * 7) * 60)
            let staffs = staffIds.filter { id in !(busy[id] ?? []).contains { $0.1 > start } }
            guard let staff = staffs.dropFirst(index).first else { continue }
            if (try? desk.startMovement(plate: car.plate, staff: String(staff), purpose: index == 0 ? "road-test" : "parking", at: stamp(start))) != nil {
                busy[staff, default: []].append((start, .distantFuture))
                counts.movements += 1
            }
        }
    }
}

extension DemoWorkshop {
    /// Registrations and camera violations on some of the movements played, so every page has something to show:
    /// violations to process online, at the window, to pay, overdue, and one to review.
    func cameras(desk: Desk) throws {
        let time = try desk.config().time
        // What happened after the camera is recorded days later, but never after now: nothing is recorded in the future.
        func at(_ date: Date) -> Desk { Desk(database: desk.database, now: min(date, desk.now), operator: "demo") }
        let firstDay = time.civilDate(of: desk.now).adding(days: -days)
        let movements = try desk.movements(plate: nil, staff: nil, from: nil, to: nil)
            .filter { !$0.inProgress && $0.purpose == "road-test" }
            .sorted { $0.startAt < $1.startAt }
        guard movements.count > 12 else { return }
        let picks = [movements[movements.count / 5], movements[movements.count / 3], movements[movements.count / 2],
                     movements[2 * movements.count / 3], movements[movements.count - 3]]
        let codes = ["1117", "1625", "1357", "1117", "1636"]
        // Each driver registered on his car at the start of the weeks, one a day, before the violations.
        var registered = Set<String>()
        for (index, pick) in picks.enumerated().prefix(3) where !registered.contains(pick.plate + pick.staff.name) {
            let day = time.start(of: firstDay.adding(days: index)).addingTimeInterval(8 * 3600)
            if let (view, _) = try? at(day).invite(plate: pick.plate, staff: String(pick.staff.id), method: nil) {
                _ = try? at(day.addingTimeInterval(1800)).confirmRegistration(ref: view.registration.ref, at: nil)
                registered.insert(pick.plate + pick.staff.name)
            }
        }
        for (index, pick) in picks.enumerated() {
            let start = try time.parse(pick.startAt, field: "at", now: desk.now)
            let moment = time.format(start.addingTimeInterval(7 * 60))
            let recorded = at(start.addingTimeInterval(2 * 86_400))
            guard let violation = try? recorded.addViolation(plate: pick.plate, at: moment, code: codes[index], points: nil, fine: nil,
                                                               location: ["东三环北路", "建国路", "朝阳北路", "京通快速路", "西大望路"][index], recordNo: nil) else { continue }
            switch index {
            case 0:  // processed online, paid by the driver
                _ = try? at(start.addingTimeInterval(3 * 86_400)).processViolation(String(violation.id), window: false, at: nil)
                _ = try? at(start.addingTimeInterval(5 * 86_400)).payViolation(String(violation.id), method: "wechat", payer: "driver", amount: nil, at: nil)
            case 1:  // processed, never paid: overdue by now
                _ = try? at(start.addingTimeInterval(3 * 86_400)).processViolation(String(violation.id), window: false, at: nil)
            default:
                break
            }
        }
        // A car parked on the street in custody, and one caught after it left.
        if let visit = try desk.movements(plate: nil, staff: nil, from: nil, to: nil).first(where: { $0.purpose == "parking" && !$0.inProgress }),
           let end = try? time.parse(visit.endAt ?? "", field: "at", now: desk.now) {
            _ = try? at(end.addingTimeInterval(86_400)).addViolation(plate: visit.plate, at: time.format(end.addingTimeInterval(20 * 60)), code: "1039",
                                                                     points: nil, fine: nil, location: "店门口辅路", recordNo: nil)
        }
    }
}


func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
