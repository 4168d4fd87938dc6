import DriverDeskCore
import DriverDeskStore
import Foundation
import GRDB

/// How big the synthetic chain is and how long each measurement runs.
struct Scale: Codable {
    var name: String
    var seed: UInt64
    var staff: Int
    var vehicles: Int
    var movements: Int
    var registrations: Int
    var records: Int
    var days: Int
    var invites: Int
    var questions: Int
    var importRuns: Int
    var whoRuns: Int
    var whoProcessRuns: Int
    var cleanupRuns: Int
    var inviteRuns: Int
    var wrkSeconds: Int
    var wrkRuns: Int
    /// The shops of the PostgreSQL chain, which share the same number of movements (`PostgresBench.shopScales`).
    var shops: Int

    static let standard = Scale(name: "default", seed: 20_261_130, staff: 50, vehicles: 20_000, movements: 1_000_000, registrations: 10_000,
                                records: 100_000, days: 1095, invites: 1000, questions: 10_000, importRuns: 3, whoRuns: 3, whoProcessRuns: 20,
                                cleanupRuns: 5, inviteRuns: 5, wrkSeconds: 10, wrkRuns: 3, shops: 500)
    static let small = Scale(name: "small", seed: 20_261_130, staff: 10, vehicles: 500, movements: 20_000, registrations: 1_000,
                             records: 2_000, days: 1095, invites: 200, questions: 2_000, importRuns: 2, whoRuns: 2, whoProcessRuns: 10,
                             cleanupRuns: 3, inviteRuns: 2, wrkSeconds: 2, wrkRuns: 1, shops: 20)
}

/// The core's deterministic generator: the same seed gives the same chain on every machine and Swift version.
typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// 0 ..< n.
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    /// lo ... hi.
    mutating func within(_ lo: Int, _ hi: Int) -> Int { hi <= lo ? lo : lo + below(hi - lo + 1) }
    mutating func within64(_ lo: Int64, _ hi: Int64) -> Int64 { hi <= lo ? lo : lo + Int64(next() % UInt64(hi - lo + 1)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ list: [T]) -> T { list[below(list.count)] }
    /// An index drawn with the given weights.
    mutating func weighted(_ weights: [Int]) -> Int {
        var roll = below(weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }
}

/// One (plate, time) question for "who drove".
struct Question {
    var vehicle: Int
    var at: Int64
    var isParking: Bool
}

/// A violation code of `data/violation-codes.csv` that is valid over the whole chain.
struct CodeEntry {
    var code: String
    var points: Int
    var fineYuan: Int
    var isParking: Bool
}

/// The synthetic chain: its database file, its camera CSV, and what the questions and records are drawn from.
final class Chain {
    let scale: Scale
    let folder: URL
    let databasePath: String
    let csvPath: String
    let csvUTF8Path: String

    /// The chain's "now": the last movements end here, `--now` of every command.
    static let nowText = "2026-11-30 14:10"
    /// 2026-11-30 14:10 +08:00 in seconds since 1970.
    static let now: Int64 = 1_796_019_000
    static let shanghai: Int64 = 8 * 3600
    /// Movements take place in 20-minute slots from 08:00 to 20:00: a slot holds at most one movement per car and per
    /// staff member, so no car has two drivers and nobody drives two cars at once (R1) by construction.
    static let slotSeconds: Int64 = 20 * 60
    static let slotsPerDay = 36

    var plates: [String] = []
    var movementVehicle: [Int32] = []
    var movementStaff: [Int32] = []
    var movementStart: [Int64] = []
    var movementEnd: [Int64] = []
    var visitVehicle: [Int32] = []
    var visitIn: [Int64] = []
    var visitOut: [Int64] = []
    var codes: [CodeEntry] = []
    var counts: [String: Int] = [:]
    var firstDay: Int64 = 0

    init(scale: Scale, folder: URL) {
        self.scale = scale
        self.folder = folder
        databasePath = folder.appendingPathComponent("chain.sqlite").path
        csvPath = folder.appendingPathComponent("camera-gb18030.csv").path
        csvUTF8Path = folder.appendingPathComponent("camera-utf8.csv").path
    }

    /// Local midnight of the chain's first day, as seconds since 1970.
    var startOfFirstDay: Int64 { firstDay }

    // MARK: - The database

    /// Writes the whole chain with prepared statements in big transactions, into a database made by
    /// `AppDatabase.open(path:)` so that the real schema and migrations apply.
    func generate() throws {
        removeDatabase(databasePath)
        let database = try AppDatabase.open(path: databasePath, connections: .pool)
        guard let pool = database.writer as? DatabasePool else { throw BenchFailure(description: "expected a database pool") }

        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -200000")
            let sink = try SQLiteRows(db)
            try db.execute(sql: "BEGIN")
            try generate(into: sink)
            try db.execute(sql: "COMMIT")
            try db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        try pool.close()
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
    }

    /// The ID numbers taken: a chain's shops draw theirs from one set (a person is one row of the chain).
    var idNumbers = Set<String>()

    /// Draws the whole shop (settings, staff, cars, three years of visits and movements, registrations) into `sink`,
    /// with ids from 1 in each table.
    func generate(into sink: any ChainRows) throws {
        var random = SeededRandom(seed: scale.seed)
        let todayStart = (Chain.now + Chain.shanghai) / 86_400 * 86_400 - Chain.shanghai
        firstDay = todayStart - Int64(scale.days - 1) * 86_400
        let createdAt = firstDay - 86_400
        try insertSettingsStaffVehicles(sink, random: &random, createdAt: createdAt)
        try insertVisitsAndMovements(sink, random: &random, todayStart: todayStart)
        try insertRegistrations(sink, random: &random)
    }

    private func insertSettingsStaffVehicles(_ sink: any ChainRows, random: inout SeededRandom, createdAt: Int64) throws {
        for (key, value) in [("shop.name", "博远汽车维修服务连锁"), ("shop.timeZone", "Asia/Shanghai"), ("shop.phone", "010-88886666")] {
            try sink.setting(key: key, value: value)
        }

        let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗").map(String.init)
        let givens = ["磊", "强", "伟", "洋", "静", "帆", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
                      "建国", "志强", "海涛", "晓东", "文博", "子轩", "浩然", "俊杰", "思远", "国栋"]
        let areas = ["110105", "110108", "310104", "310115", "440305", "440106", "320102", "330106", "510107", "420102"]
        let classes = ["C1", "C1", "C1", "C1", "C2", "B2", "A2", "C1"]
        for index in 0..<scale.staff {
            let name = surnames[index % surnames.count] + givens[(index / surnames.count + index * 7) % givens.count]
                + (index >= surnames.count * givens.count ? "\(index)" : "")
            var idNumber = ""
            var born = (1970, 1, 1)
            repeat {
                born = (random.within(1968, 2002), random.within(1, 12), random.within(1, 28))
                let first17 = random.pick(areas) + String(format: "%04d%02d%02d%03d", born.0, born.1, born.2, random.within(1, 999))
                idNumber = first17 + String(IDNumber.checkCharacter(for: first17)!)
            } while !idNumbers.insert(idNumber).inserted
            // First issued by 2025 at the latest: a licence of the future is refused when typed, and would outlive its
            // validity (drawn from 2028) in a big chain's draw.
            let issued = String(format: "%04d-%02d-%02d", min(2025, born.0 + random.within(18, 26)), random.within(1, 12), random.within(1, 28))
            let validUntil = String(format: "%04d-%02d-%02d", random.within(2028, 2036), random.within(1, 12), random.within(1, 28))
            try sink.staff(StaffRow(id: index + 1, name: name, idNumber: idNumber, licenseClass: random.pick(classes), issued: issued,
                                    validUntil: validUntil, phone: "139" + String(format: "%08d", random.below(100_000_000)), createdAt: createdAt))
        }
        counts["staff"] = scale.staff

        let provinces = Array("京京京沪沪粤粤苏浙川鄂津冀鲁豫湘皖闽").map(String.init)
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXY")
        let serial = Array("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
        let digits = Array("0123456789")
        let owners = ["张伟", "王芳", "李娜", "刘强", "陈静", "杨洋", "赵磊", "黄敏", "周杰", "吴婷", "徐涛", "孙丽",
                      "北京顺达物流有限公司", "上海锦程汽车租赁有限公司", "深圳市华南建材有限公司"]
        var seen = Set<String>()
        plates.reserveCapacity(scale.vehicles)
        for index in 0..<scale.vehicles {
            var plate = ""
            repeat {
                let mostlyDigits = random.chance(0.6)
                let body = (0..<5).map { _ in mostlyDigits ? random.pick(digits) : random.pick(serial) }
                plate = random.pick(provinces) + String(random.pick(letters)) + String(body)
            } while !seen.insert(plate).inserted
            plates.append(plate)
            let owner = random.pick(owners)
            let commercial = owner.hasSuffix("公司") && random.chance(0.5)
            let engine: String? = random.chance(0.7) ? String((0..<6).map { _ in random.pick(serial) }) : nil
            try sink.vehicle(VehicleRow(id: index + 1, plate: plate, ownerName: owner, ownerPhone: "13" + String(format: "%09d", random.below(1_000_000_000)),
                                        engineLast6: engine, usage: commercial ? "commercial" : "private", size: random.chance(0.03) ? "large" : "small",
                                        createdAt: createdAt))
        }
        counts["vehicles"] = scale.vehicles
    }

    private func insertVisitsAndMovements(_ sink: any ChainRows, random: inout SeededRandom, todayStart: Int64) throws {
        let purposes = ["road-test", "parking", "delivery", "pickup", "other"]
        let purposeWeights = [35, 40, 10, 10, 5]

        // Slots up to now, and an even share of the movements for each.
        let slotsToday = (0..<Chain.slotsPerDay).filter { todayStart + 8 * 3600 + Int64($0) * Chain.slotSeconds <= Chain.now }.count
        let totalSlots = (scale.days - 1) * Chain.slotsPerDay + slotsToday
        let target = scale.movements
        // Each car comes about six times in three years; it stays the day, or a few days.
        let arrivalsPerDay = Double(scale.vehicles) * 6.0 * Double(scale.days) / 1095.0 / Double(scale.days)
        let maxStale = max(2, scale.vehicles / 2000)

        struct InShop { var vehicle: Int32; var visit: Int64; var leavesDay: Int }
        var inShop: [InShop] = []
        var freeFromDay = [Int](repeating: 0, count: scale.vehicles)
        var staffOrder = Array(0..<scale.staff)
        var arrivals = 0.0
        var visitId: Int64 = 0
        var movementId: Int64 = 0
        var slotIndex = 0
        var carry = 0
        var stale = 0
        var openVisits = 0
        var openMovements = 0
        movementVehicle.reserveCapacity(target)
        movementStaff.reserveCapacity(target)
        movementStart.reserveCapacity(target)
        movementEnd.reserveCapacity(target)

        for day in 0..<scale.days {
            let dayStart = firstDay + Int64(day) * 86_400
            inShop.removeAll { $0.leavesDay < day }
            arrivals += arrivalsPerDay
            var orderOfDay = 0
            while arrivals >= 1 {
                arrivals -= 1
                var chosen = -1
                for _ in 0..<20 {
                    let candidate = random.below(scale.vehicles)
                    if freeFromDay[candidate] <= day { chosen = candidate; break }
                }
                guard chosen >= 0 else { continue }
                let stay = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 6][random.below(12)]
                var leavesDay = day + stay
                if stale < maxStale && random.chance(0.0004) {
                    leavesDay = Int.max
                    stale += 1
                }
                let checkin = dayStart + 7 * 3600 + Int64(random.below(3600))
                let checkout: Int64? = leavesDay == Int.max ? nil
                    : firstDay + Int64(leavesDay) * 86_400 + 20 * 3600 + 60 + Int64(random.below(3500))
                let stillIn = checkout.map { $0 > Chain.now } ?? true
                visitId += 1
                orderOfDay += 1
                try sink.visit(VisitRow(id: visitId, vehicle: Int64(chosen + 1), checkinAt: checkin, checkoutAt: stillIn ? nil : checkout,
                                        orderNo: "WO-\(Chain.localDate(dayStart).replacingOccurrences(of: "-", with: ""))-\(String(format: "%03d", orderOfDay))"))
                if stillIn { openVisits += 1 }
                visitVehicle.append(Int32(chosen))
                visitIn.append(checkin)
                visitOut.append(stillIn ? Chain.now : checkout!)
                freeFromDay[chosen] = leavesDay == Int.max ? Int.max : leavesDay + 1
                inShop.append(InShop(vehicle: Int32(chosen), visit: visitId, leavesDay: leavesDay))
            }
            for slot in 0..<Chain.slotsPerDay {
                let slotStart = dayStart + 8 * 3600 + Int64(slot) * Chain.slotSeconds
                guard slotStart <= Chain.now else { break }
                let quota = (slotIndex + 1) * target / totalSlots - slotIndex * target / totalSlots
                slotIndex += 1
                let wanted = quota + carry
                let count = min(wanted, scale.staff, inShop.count)
                carry = wanted - count
                for j in 0..<count {
                    staffOrder.swapAt(j, j + random.below(scale.staff - j))
                    inShop.swapAt(j, j + random.below(inShop.count - j))
                    let duration = Int64(random.within(180, 1080))
                    let start = slotStart + Int64(random.below(Int(Chain.slotSeconds - duration - 60)))
                    guard start <= Chain.now else { continue }
                    let end = start + duration
                    let open = end > Chain.now
                    movementId += 1
                    let car = inShop[j]
                    try sink.movement(MovementRow(id: movementId, visit: car.visit, vehicle: Int64(car.vehicle) + 1, staff: Int64(staffOrder[j] + 1),
                                                  startAt: start, endAt: open ? nil : end, purpose: purposes[random.weighted(purposeWeights)]))
                    if open { openMovements += 1 }
                    movementVehicle.append(car.vehicle)
                    movementStaff.append(Int32(staffOrder[j]))
                    movementStart.append(start)
                    movementEnd.append(open ? Chain.now : end)
                }
            }
            if day % 90 == 89 { try sink.checkpoint() }
        }
        counts["visits"] = Int(visitId)
        counts["openVisits"] = openVisits
        counts["staleVisits"] = stale
        counts["movements"] = Int(movementId)
        counts["openMovements"] = openMovements
    }

    private func insertRegistrations(_ sink: any ChainRows, random: inout SeededRandom) throws {
        guard !movementStart.isEmpty else { return }
        var refs = Set<String>()
        var live = Set<Int64>()
        var activePerStaff = [Int](repeating: 0, count: scale.staff)
        var invitedPerStaff = [Int](repeating: 0, count: scale.staff)
        var livePerVehicle: [Int32: Int] = [:]
        var byStatus: [String: Int] = [:]
        let day: Int64 = 86_400
        for index in 0..<scale.registrations {
            let m = random.below(movementStart.count)
            let vehicle = movementVehicle[m]
            let staff = movementStaff[m]
            let invitedAt = min(Chain.now - 60, movementEnd[m] + random.within64(3600, 5 * day))
            var ref = ""
            repeat { ref = InviteRef.random(using: &random) } while !refs.insert(ref).inserted
            let age = Chain.now - invitedAt
            var status: String
            if age < 7 * day {
                status = random.chance(0.5) ? "invited" : "active"
            } else {
                status = ["removed", "expired", "cancelled", "active", "removalDue", "invited"][random.weighted([72, 12, 8, 4, 2, 2])]
            }
            let pair = Int64(vehicle) << 20 | Int64(staff)
            if ["invited", "active", "removalDue"].contains(status) {
                let fits = !live.contains(pair) && livePerVehicle[vehicle, default: 0] < 3
                    && (status != "active" || activePerStaff[Int(staff)] < 3) && (status != "invited" || invitedPerStaff[Int(staff)] < 3)
                if fits {
                    live.insert(pair)
                    livePerVehicle[vehicle, default: 0] += 1
                    if status == "active" { activePerStaff[Int(staff)] += 1 }
                    if status == "invited" { invitedPerStaff[Int(staff)] += 1 }
                } else {
                    status = age < 7 * day ? "cancelled" : "removed"
                }
            }
            var activated: Int64?
            var removalDue: Int64?
            var removed: Int64?
            var expired: Int64?
            var cancelled: Int64?
            switch status {
            case "active", "removalDue", "removed":
                activated = min(Chain.now, invitedAt + random.within64(600, 2 * day))
                if status != "active" {
                    removalDue = min(Chain.now, activated! + random.within64(day, 40 * day))
                }
                if status == "removed" {
                    removed = min(Chain.now, removalDue! + random.within64(0, 10 * day))
                }
            case "expired":
                expired = min(Chain.now, invitedAt + 7 * day + random.within64(0, day))
            case "cancelled":
                cancelled = min(Chain.now, invitedAt + random.within64(60, min(age, 5 * day)))
            default:
                break
            }
            let method = ["qr", "sms", "window"][random.weighted([60, 30, 10])]
            try sink.registration(RegistrationRow(id: Int64(index + 1), ref: ref, vehicle: Int64(vehicle) + 1, staff: Int64(staff) + 1, method: method,
                                                  status: status, invitedAt: invitedAt, activatedAt: activated, removalDueAt: removalDue,
                                                  removedAt: removed, expiredAt: expired, cancelledAt: cancelled))
            byStatus[status, default: 0] += 1
        }
        counts["registrations"] = scale.registrations
        for (status, count) in byStatus { counts["registrations." + status] = count }
    }

    // MARK: - Questions and the camera file

    /// A realistic mix of times: inside a movement, inside a visit, anywhere in the three years.
    private func sampleTime(_ random: inout SeededRandom, kinds: [Int]) -> (vehicle: Int, at: Int64) {
        switch random.weighted(kinds) {
        case 0 where !movementStart.isEmpty:
            let m = random.below(movementStart.count)
            return (Int(movementVehicle[m]), random.within64(movementStart[m], movementEnd[m]))
        case 1 where !visitIn.isEmpty:
            let v = random.below(visitIn.count)
            return (Int(visitVehicle[v]), random.within64(visitIn[v], visitOut[v]))
        default:
            return (random.below(scale.vehicles), random.within64(firstDay, Chain.now - 60))
        }
    }

    func questions(count: Int, seed: UInt64) -> [Question] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let (vehicle, at) = sampleTime(&random, kinds: [35, 25, 40])
            return Question(vehicle: vehicle, at: at, isParking: random.chance(0.2))
        }
    }

    /// The reference codes valid over the whole chain, read from `data/violation-codes.csv`.
    func loadCodes(root: URL) throws -> [CodeEntry] {
        let text = try String(contentsOf: root.appendingPathComponent("data/violation-codes.csv"), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        let (code, points, fine, absent, from, to) = (column("code"), column("points"), column("fine_yuan"), column("driver_absent"),
                                                      column("valid_from"), column("valid_to"))
        let firstDate = Chain.localDate(firstDay)
        var entries: [String: CodeEntry] = [:]
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == header.count, cells[to].isEmpty, cells[from] <= firstDate, entries[cells[code]] == nil,
                  let p = Int(cells[points]), let f = Int(cells[fine]) else { continue }
            entries[cells[code]] = CodeEntry(code: cells[code], points: p, fineYuan: f, isParking: cells[absent] == "true")
        }
        guard !entries.isEmpty else { throw BenchFailure(description: "no usable codes in data/violation-codes.csv") }
        return entries.values.sorted { $0.code < $1.code }
    }

    /// The camera file: one record per line, a unique decision number each, Chinese headers, GB18030 without a BOM.
    func writeCameraFile(root: URL) throws {
        codes = try loadCodes(root: root)
        // Red lights, solid lines, parking and crosswalks are most of what cameras catch.
        let weight: [String: Int] = ["1625": 14, "1117": 18, "1039": 22, "1357": 10, "1116": 8, "1208": 8, "1352": 10, "1636": 4, "6011": 4, "4008": 1]
        let weights = codes.map { weight[$0.code] ?? 1 }
        let places = ["北京市朝阳区建国路与东三环中路交叉口", "北京市海淀区中关村大街北向南", "上海市浦东新区世纪大道近张杨路", "上海市徐汇区漕溪北路",
                      "深圳市福田区深南大道华强路口", "广州市天河区天河路体育中心段", "南京市鼓楼区中山北路", "杭州市西湖区文三路学院路口",
                      "成都市武侯区人民南路四段", "武汉市江汉区解放大道", "修理厂门前道路", "京藏高速北沙滩桥"]
        var random = SeededRandom(seed: scale.seed ^ 0xC0FF_EE00)
        var text = "车牌号,违法时间,违法代码,违法地点,罚款金额,记分,决定书编号\r\n"
        text.reserveCapacity(scale.records * 110)
        for index in 0..<scale.records {
            let (vehicle, at) = sampleTime(&random, kinds: [30, 20, 50])
            let entry = codes[random.weighted(weights)]
            var place = random.pick(places)
            if random.chance(0.03) { place = "\"\(place),由东向西\"" }
            let recordNo = "\(["1101", "3101", "4403", "4401", "3201"][index % 5])\(String(format: "%011ld", 23_000_000_000 + index * 7 + random.below(7)))"
            text += "\(plates[vehicle]),\(Chain.localTime(at)),\(entry.code),\(place),\(entry.fineYuan),\(entry.points),\(recordNo)\r\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: csvUTF8Path))
        try runChecked("/usr/bin/iconv", ["-f", "UTF-8", "-t", "GB18030", "-o", csvPath, csvUTF8Path], scratch: folder)
        counts["records"] = scale.records
    }

    // MARK: - Local time (Asia/Shanghai has no daylight saving)

    static func civil(_ seconds: Int64) -> (year: Int, month: Int, day: Int, second: Int) {
        let local = seconds + shanghai
        let days = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let secondOfDay = Int(local - Int64(days) * 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        return (date.year, date.month, date.day, secondOfDay)
    }

    static func localDate(_ seconds: Int64) -> String {
        let c = civil(seconds)
        return String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
    }

    static func localTime(_ seconds: Int64) -> String {
        let c = civil(seconds)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.second / 3600, c.second / 60 % 60, c.second % 60)
    }
}
