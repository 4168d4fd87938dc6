import DriverDeskCore
@testable import DriverDeskApp
@testable import DriverDeskStore
import Foundation
import GRDB
import PostgresHarness
import StoreHarness
import Testing

/// Two days of a shop with every case of R2 in it: three cars, visits closed and open, handovers, gaps, an open movement.
struct ImportWorld {
    let shop: Shop

    init(slackMinutes: Int? = nil, backend: Backend = .sqlite) throws {
        shop = try Shop(backend)
        let db = shop.db, context = shop.context
        if let slackMinutes { _ = try db.setConfig(key: "attribution.slackMinutes", value: String(slackMinutes), context: context) }
        _ = try db.addVehicle(NewVehicle(plate: try Plate("粤C12345"), ownerName: "车主", ownerPhone: nil, engineLast6: nil, usage: .private, size: .small), context: context)
        let a = try Plate("京A12345"), b = try Plate("沪B88888")

        // 沪B88888: a visit on the 18th with one movement, another from the 19th to the 20th.
        _ = try db.checkin(plate: b, at: at("11-18 09:00"), orderNo: nil, context: context)
        _ = try db.logMovement(plate: b, staff: "王磊", purpose: .roadTest, from: at("11-18 10:00"), to: at("11-18 10:20"), context: context)
        _ = try db.checkout(plate: b, at: at("11-18 17:00"), context: context)
        _ = try db.checkin(plate: b, at: at("11-19 09:00"), orderNo: nil, context: context)
        _ = try db.logMovement(plate: b, staff: "李强", purpose: .parking, from: at("11-20 09:00"), to: at("11-20 09:15"), context: context)
        _ = try db.checkout(plate: b, at: at("11-20 12:00"), context: context)

        // 京A12345: the 19th with a handover at 09:30 and a gap of ten minutes around 12:25; the 20th still in the shop, being driven.
        _ = try db.checkin(plate: a, at: at("11-19 08:00"), orderNo: nil, context: context)
        _ = try db.logMovement(plate: a, staff: "王磊", purpose: .roadTest, from: at("11-19 09:00"), to: at("11-19 09:30"), context: context)
        _ = try db.logMovement(plate: a, staff: "李强", purpose: .delivery, from: at("11-19 09:30"), to: at("11-19 10:00"), context: context)
        _ = try db.logMovement(plate: a, staff: "王磊", purpose: .parking, from: at("11-19 12:00"), to: at("11-19 12:20"), context: context)
        _ = try db.logMovement(plate: a, staff: "李强", purpose: .roadTest, from: at("11-19 12:30"), to: at("11-19 12:50"), context: context)
        _ = try db.checkout(plate: a, at: at("11-19 18:00"), context: context)
        _ = try db.checkin(plate: a, at: at("11-20 08:00"), orderNo: nil, context: context)
        _ = try db.logMovement(plate: a, staff: "王磊", purpose: .parking, from: at("11-20 08:30"), to: at("11-20 09:00"), context: context)
        _ = try db.startMovement(plate: a, staff: "李强", purpose: .pickup, at: at("11-20 19:00"), context: context)
    }

    func at(_ text: String) -> Date { try! shop.time.parse("2026-\(text)", field: "at", now: Date()) }

    /// The camera file: cars interleaved, times out of order, and with `copies` two copies of one violation.
    func records(copies: Bool = true) -> [NewViolation] {
        let cases: [(plate: String, at: String, parking: Bool)] = [
            ("京A12345", "11-19 09:10", false),  // inside 王磊's road test
            ("沪B88888", "11-18 09:52", false),  // 8 minutes before a movement starts: slack
            ("京A12345", "11-19 09:30", false),  // the handover from 王磊 to 李强
            ("粤C12345", "11-20 10:00", false),  // never in the shop
            ("京A12345", "11-19 10:05", false),  // 5 minutes after 李强 ended: slack
            ("京A12345", "11-19 12:25", false),  // 5 minutes from an end and from a start: the tie
            ("沪B88888", "11-18 10:25", true),   // slack after an end, a parking code
            ("京A12345", "11-19 15:00", false),  // in custody, nobody driving
            ("京A12345", "11-19 15:00", true),   // the same time, parked by 李强
            ("沪B88888", "11-19 10:00", true),   // parking in a visit where nobody has moved it yet
            ("京A12345", "11-19 19:00", false),  // after checkout
            ("京A12345", "11-20 19:30", false),  // 李强 is still driving
            ("京A12345", "11-20 12:00", true),   // parked by 王磊 this morning
            ("京A12345", "11-18 12:00", false),  // before any visit
            ("沪B88888", "11-20 11:00", true),   // parked by 李强
            ("京A12345", "11-19 08:00", false),  // the minute of check-in
            ("京A12345", "11-19 18:00", true),   // the minute of checkout
            ("京A12345", "11-19 08:55", false),  // 5 minutes before the first movement
            ("京A12345", "11-19 09:00", false),  // the first movement's start
            ("沪B88888", "11-20 09:10", false),  // inside a movement of the second visit
        ]
        var list = cases.enumerated().map { index, item in
            NewViolation(plate: try! Plate(item.plate), occurredAt: at(item.at), code: item.parking ? "1039" : "1625", description: "test",
                         category: item.parking ? "parking" : "signal", location: "路口 \(index)", points: item.parking ? 0 : 6,
                         fineFen: 20_000, recordNo: "R\(index)", isParking: item.parking, line: index + 2)
        }
        guard copies else { return list }
        var copy = list[0]
        copy.line = list.count + 2
        list.append(copy)  // the same record again: skipped
        var sameIdentity = list[4]
        sameIdentity.recordNo = "R-other"
        sameIdentity.line = list.count + 2
        list.append(sameIdentity)  // same plate, time and code, another record number: skipped
        return list
    }

    func violations() throws -> [Violation] {
        try shop.db.violations(status: nil, limit: nil).map(\.violation).sorted { $0.id! < $1.id! }
    }
}

@Suite("Import attributes every record as addViolation does (R2)")
struct ImportAttributionTests {
    @Test("Given every case of R2, When a file is imported, Then each violation is the one violation add records, whichever way the facts are read",
          arguments: ImportStrategyCase.allCases, [
              FileCase(slackMinutes: nil, copies: true), FileCase(slackMinutes: nil, copies: false),
              FileCase(slackMinutes: 0, copies: true), FileCase(slackMinutes: 3, copies: false),
              FileCase(slackMinutes: nil, copies: true, rowByRow: true),
              FileCase(slackMinutes: nil, copies: true, backend: .postgres), FileCase(slackMinutes: 3, copies: false, backend: .postgres),
          ])
    func differential(strategy: ImportStrategyCase, file: FileCase) throws {
        let slackMinutes = file.slackMinutes
        let imported = try ImportWorld(slackMinutes: slackMinutes, backend: file.backend)
        let list = imported.records(copies: file.copies)
        let outcome = try imported.shop.db.importViolations(list, source: "camera.csv", dryRun: false, context: imported.shop.context,
                                                            strategy: strategy.strategy, rowByRow: file.rowByRow, progress: nil)

        let added = try ImportWorld(slackMinutes: slackMinutes, backend: file.backend)
        var refused = 0
        for new in list {
            do {
                _ = try added.shop.db.addViolation(new, context: added.shop.context)
            } catch let error as DeskError {
                guard case .refusedWith(rule: "violation", _) = error else { throw error }
                refused += 1
            }
        }

        let expected = try added.violations()
        let got = try imported.violations()
        #expect(got.count == expected.count)
        for (one, other) in zip(got, expected) {
            #expect(one == other, "violation #\(one.id ?? 0)")
        }
        #expect(outcome.added == expected.count)
        #expect(outcome.skipped == refused)
        #expect(outcome.needsReview == expected.filter(\.needsReview).count)
        #expect(outcome.byAttribution == Dictionary(grouping: expected, by: \.attribution.rawValue).mapValues(\.count))
        #expect(outcome.firstId == expected.first?.id)
        #expect(outcome.lastId == expected.last?.id)
        if slackMinutes == nil {
            // Every kind and path of R2 is in the file.
            let kinds = Set(got.map(\.attribution))
            #expect(kinds == [.movement, .parked, .unattributed, .outsideCustody])
            let codes = Set(got.flatMap { Message.decodeList($0.reasons).map(\.code) })
            #expect(codes.isSuperset(of: ["attribution.handover", "attribution.withinSlack", "attribution.nobodyMovedYet", "attribution.drivingStill"]), "\(codes)")
            #expect(refused == (file.copies ? 2 : 0))
        }
    }

    @Test("Given violations already recorded, When a file repeats them and itself in every way, Then the same rows are skipped as violation add refuses",
          arguments: [(false, Backend.sqlite), (true, .sqlite), (false, .postgres)])
    func copies(rowByRow: Bool, backend: Backend) throws {
        let base = try ImportWorld().records(copies: false)
        var sameTimeOtherNumber = base[0]
        sameTimeOtherNumber.recordNo = base[1].recordNo  // a record number already recorded, before the row that goes in
        var otherTime = base[2]
        otherTime.occurredAt = otherTime.occurredAt.addingTimeInterval(60)
        otherTime.recordNo = base[2].recordNo  // goes in before base[2], which is then a copy by its number
        let list = [sameTimeOtherNumber, base[0], base[1], otherTime, base[2], base[3], base[3], base[4]]

        let imported = try ImportWorld(backend: backend), added = try ImportWorld(backend: backend)
        for world in [imported, added] { _ = try world.shop.db.addViolation(base[1], context: world.shop.context) }
        let outcome = try imported.shop.db.importViolations(list, source: "camera.csv", dryRun: false, context: imported.shop.context,
                                                            strategy: .scan, rowByRow: rowByRow, progress: nil)
        var refused = 0
        for new in list {
            do {
                _ = try added.shop.db.addViolation(new, context: added.shop.context)
            } catch DeskError.refusedWith(rule: "violation", _) {
                refused += 1
            }
        }
        #expect(try imported.violations() == added.violations())
        #expect(outcome.skipped == refused)
        #expect(refused == 4)
        #expect(outcome.added == 4)
        #expect(outcome.firstId == 2)
        #expect(outcome.lastId == 5)
    }

    @Test("On a chain, an import bigger than one COPY of staged rows (4 MB) goes in pieces and comes out as on SQLite")
    func manyChunks() throws {
        let base = try ImportWorld().records(copies: false)
        // 6,000 records of about a kilobyte each: the chain's import sends its staged rows in two pieces or more.
        let place = String(repeating: "某区某路与某街交叉口", count: 30)
        var list: [NewViolation] = []
        for index in 0..<6_000 {
            var record = base[index % base.count]
            record.occurredAt = record.occurredAt.addingTimeInterval(TimeInterval(index / base.count))
            record.location = place
            record.recordNo = "R\(index)"
            record.line = index + 2
            list.append(record)
        }
        #expect(list.count * place.utf8.count > ChainImportStage.chunk)
        let onFile = try ImportWorld(backend: .sqlite), onChain = try ImportWorld(backend: .postgres)
        let fileOutcome = try onFile.shop.db.importViolations(list, source: "camera.csv", dryRun: false, context: onFile.shop.context,
                                                             strategy: .scan, progress: nil)
        let chainOutcome = try onChain.shop.db.importViolations(list, source: "camera.csv", dryRun: false, context: onChain.shop.context,
                                                               strategy: .scan, progress: nil)
        #expect(chainOutcome == fileOutcome)
        #expect(fileOutcome.added == list.count)
        let file = try onFile.violations(), chain = try onChain.violations()
        #expect(chain.count == list.count)
        #expect(chain == file, "the first difference: \(zip(chain, file).first { $0 != $1 }.map { "\($0)\n\($1)" } ?? "in the counts")")
        // In file order: the numbers go with the lines.
        #expect(chain.map(\.recordNo) == list.map(\.recordNo))
    }

    @Test("On a chain, a copy that another desk records while an import runs: the import runs again and skips it, nothing twice")
    func copyRecordedMeanwhile() throws {
        let world = try ImportWorld(backend: .postgres)
        let list = world.records(copies: false)
        let server = try SharedChain.server()
        let test = world.shop.test
        let copy = list[5]
        // Another desk records the sixth record and keeps its transaction open at a gate the test holds shut: the
        // import reads it as not recorded, its move then waits on the other desk's row; once the gate opens the other
        // desk commits, and the import's move fails with a unique violation and runs again.
        let gate = try SessionGate(server: server, database: test.chainDatabase)
        let marker = "other-desk-" + UUID().uuidString.prefix(8).lowercased()
        let (other, out, err) = try server.start("""
            SELECT '\(marker)';
            INSERT INTO violation (vehicle_id, occurred_at, code, points, fine_fen, record_no, status, attribution, needs_review, reasons, recorded_at)
              SELECT id, \(copy.occurredAt.seconds), '\(copy.code)', \(copy.points), \(copy.fineFen), '\(copy.recordNo!)', 'open', 'unattributed', true, '[]',
                     \(world.shop.context.now.seconds)
              FROM vehicle WHERE plate = '\(copy.plate.text)';
            \(gate.statement)
            """, as: test.role, database: test.chainDatabase)
        _ = out
        try server.waitUntil("the other desk to have written and to wait at the gate", ThrowawayPostgres.waiting(marker, on: "advisory"), database: test.chainDatabase)
        let context = world.shop.context, db = world.shop.db
        let importing = Background { try db.importViolations(list, source: "camera.csv", dryRun: false, context: context, strategy: .scan, progress: nil) }
        try server.waitUntil("the import to wait on the other desk's row", ThrowawayPostgres.blocked(by: marker), database: test.chainDatabase)
        try gate.open()
        let outcome = try importing.wait()
        other.waitUntilExit()
        #expect(other.terminationStatus == 0, "\(String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))")
        #expect(outcome.added == list.count - 1 && outcome.skipped == 1, "\(outcome)")
        let numbers = try world.violations().compactMap(\.recordNo)
        #expect(numbers.count == list.count && Set(numbers).count == list.count, "\(numbers)")
    }

    @Test("An import writes nothing but its violations and one audit entry; a dry run writes nothing", arguments: Backend.allCases)
    func dryRunAndAudit(_ backend: Backend) throws {
        let world = try ImportWorld(backend: backend)
        let auditBefore = try world.shop.db.auditEntries(since: nil).count
        let (dry, preview) = try world.shop.db.dryRunImport(world.records(), source: "camera.csv", context: world.shop.context)
        #expect(dry.added == 20)
        // The dry run says whom each record would go to, line by line (copies already recorded included).
        #expect(preview.count == (try world.records()).count)
        #expect(try world.violations().isEmpty)
        #expect(try world.shop.db.auditEntries(since: nil).count == auditBefore)
        let outcome = try world.shop.db.importViolations(world.records(), source: "camera.csv", dryRun: false, context: world.shop.context)
        // The numbers the rows got: on SQLite the dry run says them (1 to 20 in a shop without violations); on
        // PostgreSQL it cannot (a sequence does not roll back), and the import's answer must name its own first and
        // last rows as the table holds them.
        let stored = try world.violations().compactMap(\.id)
        #expect(stored.count == 20)
        if backend == .sqlite {
            #expect(dry.firstId == 1 && dry.lastId == 20, "\(dry)")
            #expect(outcome == dry)
        } else {
            #expect(outcome.firstId == stored.first && outcome.lastId == stored.last, "\(outcome) for the rows \(stored)")
            var expected = dry
            (expected.firstId, expected.lastId) = (stored.first, stored.last)
            #expect(outcome == expected)
        }
        let audit = try world.shop.db.auditEntries(since: nil)
        #expect(audit.count == auditBefore + 1)
        #expect(audit.last?.action == "violation.import")
        let again = try world.shop.db.importViolations(world.records(), source: "camera.csv", dryRun: false, context: world.shop.context)
        #expect(again.added == 0)
        #expect(again.skipped == world.records().count)
    }

    @Test("The reasons are written as the JSON encoder writes them, byte for byte, and read back")
    func reasonsJSON() throws {
        var tricky = (0..<0x20).map { "control \(UnicodeScalar(UInt8($0)))." }
        tricky += ["", "plain", "quote \" and backslash \\ and slash /", "王磊 drove 京A12345", "emoji 🚗 and \u{7F} and \u{2028}",
                   "\"\\\"", "tab\there\nnewline\r\n"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let day = CivilDate(year: 2026, month: 11, day: 19)!
        var lists: [[Message]] = [[], [Message("attribution.noMovement")]]
        for string in tricky {
            lists.append([Message(string, ["staff": .text(string), "names": .names([string, "李强"]), "kind": .term(string, "road-test")]),
                          Message("all", ["a": .number(-3), "b": .time(Date(timeIntervalSince1970: 1_763_512_200)), "c": .day(day), "d": .fen(20_050),
                                          "e": .minutes(10), "f": .days(7), "g": .names([])])])
        }
        for list in lists {
            let written = Message.encodeList(list)
            #expect(written == String(decoding: try encoder.encode(list), as: UTF8.self))
            #expect(Message.decodeList(written) == list)
        }
        // What an older DriverDesk stored: English sentences, shown as they are.
        #expect(Message.decodeList(#"["王磊 was driving 京A12345."]"#) == [.verbatim("王磊 was driving 京A12345.")])
    }
}

/// A shop's slack, whether its file holds copies (then the move has to find which rows it skipped), and whether the
/// staged rows are moved one by one.
struct FileCase: CustomTestStringConvertible, Sendable {
    var slackMinutes: Int?
    var copies: Bool
    var rowByRow = false
    var backend: Backend = .sqlite

    var testDescription: String {
        "slack \(slackMinutes.map(String.init) ?? "default"), \(copies ? "with" : "without") copies\(rowByRow ? ", row by row" : "")\(backend == .postgres ? ", on PostgreSQL" : "")"
    }
}

/// The strategies of `importViolations` as test arguments.
enum ImportStrategyCase: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case scan, perRecord, automatic

    var strategy: ImportStrategy {
        switch self {
        case .scan: .scan
        case .perRecord: .perRecord
        case .automatic: .automatic
        }
    }

    var testDescription: String { rawValue }
}
