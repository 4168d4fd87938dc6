import DriverDeskCameraFile
import DriverDeskCore
import Foundation

/// What must hold for any input to a parser, checked by the libFuzzer targets beside this folder on every input they
/// try, and by `ReliabilityTests` when it replays their findings and hammers the parsers. Each check returns what is
/// wrong, or nil; a crash inside a parser ends the process (libFuzzer saves the input).
public enum ParserChecks {
    public static let shanghai = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)
    public static let utc = ShopTime(zone: TimeZone(identifier: "UTC")!)
    public static let now = Date(timeIntervalSince1970: 1_795_147_200)  // 2026-11-20 12:00 +08:00

    /// Returns what is wrong with the parser's answer to `data`, or nil.
    public static func plate(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        _ = Plate.normalise(text)
        guard let plate = try? Plate(text) else { return nil }
        if Plate.normalise(plate.text) != plate.text { return "normalising \(plate.text) changes it" }
        if plate.text.count != 7 && plate.text.count != 8 { return "\(plate.text) has \(plate.text.count) characters" }
        if !Plate.provinces.contains(plate.text.first!) { return "\(plate.text) does not start with a province" }
        if (try? Plate(plate.text)) != plate { return "\(plate.text) does not parse back to itself" }
        return nil
    }

    public static func idNumber(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        _ = IDNumber.mask(text)
        guard let id = try? IDNumber(text) else { return nil }
        if id.text.utf8.count != 18 { return "\(id.masked) is not 18 ASCII characters" }
        if IDNumber.checkCharacter(for: String(id.text.prefix(17))) != id.text.last { return "check character of \(id.masked)" }
        if id.description != id.masked || id.masked.filter({ $0 == "*" }).count != 8 { return "\(id.masked) is not masked" }
        if id.masked.contains(String(id.text.dropFirst(6).prefix(8))) { return "\(id.masked) shows the birth date" }
        _ = id.birthDate
        if (try? IDNumber(id.text)) != id { return "\(id.masked) does not parse back" }
        return nil
    }

    public static func time(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? CivilDate(parsing: text, field: "date")
        _ = try? shanghai.parse(text, field: "at", now: now, dateOnly: true)
        if let date = try? shanghai.parse(text, field: "at", now: now) {
            _ = shanghai.format(date)
            _ = shanghai.formatISO(date)
        }
        if let date = try? utc.parse(text, field: "at", now: now) {
            let shown = utc.format(date)
            guard let again = try? utc.parse(shown, field: "at", now: now), abs(again.timeIntervalSince(date)) < 1 else {
                return "\(text.debugDescription) → \(shown) does not read back"
            }
        }
        return nil
    }

    public static func csv(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        guard let records = try? CSVReader(text: text).records() else { return nil }
        var previous = 0
        for record in records {
            if record.line <= previous { return "line \(record.line) after \(previous)" }
            if record.fields.isEmpty || record.fields == [""] { return "a blank record at line \(record.line)" }
            previous = record.line
        }
        return nil
    }

    public enum Answer: Equatable {
        case records([ViolationRecord])
        case refused(String)
    }

    public static func answer(_ data: Data, chunkSize: Int = ViolationFile.defaultChunkSize) -> Answer {
        do {
            return .records(try ViolationFile.read(data: data, time: shanghai, now: now, chunkSize: chunkSize))
        } catch {
            return .refused((error as? LocalizedError)?.errorDescription ?? "\(type(of: error)): \(error)")
        }
    }

    /// `differential`: also read in chunks of 1, 3 and 7 bytes, which must give the same answer.
    public static func violationFile(_ data: Data, differential: Bool = false) -> String? {
        let records: [ViolationRecord]
        do {
            records = try ViolationFile.read(data: data, time: shanghai, now: now)
        } catch let error as ViolationFileErrors {
            if error.errors.isEmpty || error.lines == 0 { return "an empty error list" }
            _ = error.localizedDescription
            return differential ? chunked(data) : nil
        } catch let error as DeskError {
            if error.exitCode != 2 { return "a file error that is not exit 2: \(error)" }
            return differential ? chunked(data) : nil
        } catch {
            return "an error that is neither DeskError nor ViolationFileErrors: \(error)"
        }
        for record in records {
            if (try? Plate(record.plate.text)) != record.plate { return "plate \(record.plate)" }
            if !(4...5).contains(record.code.count) || !record.code.allSatisfy(\.isASCII) { return "code \(record.code)" }
            if let fine = record.fineFen, fine < 0 || fine > 10_000_000 { return "fine \(fine)" }
            if let points = record.points, ![0, 1, 3, 6, 9, 12].contains(points) { return "points \(points)" }
            if record.occurredAt.timeIntervalSince(now) > 86_400 { return "a time in the future" }
            if (record.location?.count ?? 0) > 200 || (record.recordNo?.count ?? 0) > 60 { return "a text too long" }
            if record.line < 2 { return "a record on the header line" }
        }
        return differential ? chunked(data) : nil
    }

    public static func chunked(_ data: Data) -> String? {
        let whole = answer(data)
        for size in [1, 3, 7] where answer(data, chunkSize: size) != whole {
            return "read in chunks of \(size) bytes, the answer differs"
        }
        return nil
    }

    public static let all: [(folder: String, check: @Sendable (Data) -> String?)] = [
        ("plate", { plate($0) }), ("idnumber", { idNumber($0) }), ("time", { time($0) }), ("csv", { csv($0) }),
        ("violationfile", { violationFile($0, differential: true) }),
    ]
}
