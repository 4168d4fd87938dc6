import DriverDeskCore
import Foundation

/// One row of a camera-violation file, every cell checked (R10).
public struct ViolationRecord: Sendable, Equatable {
    /// The 1-based physical line of the file where the record starts.
    public var line: Int
    public var plate: Plate
    public var occurredAt: Date
    /// The code as digits, e.g. `1625`.
    public var code: String
    public var location: String?
    public var description: String?
    /// Money in integer fen; nil when the cell is empty.
    public var fineFen: Int?
    /// Licence points; nil when the cell is empty.
    public var points: Int?
    /// The record (decision) number; nil when empty.
    public var recordNo: String?

    init(line: Int, plate: Plate, occurredAt: Date, code: String, location: String? = nil, description: String? = nil,
         fineFen: Int? = nil, points: Int? = nil, recordNo: String? = nil) {
        self.line = line
        self.plate = plate
        self.occurredAt = occurredAt
        self.code = code
        self.location = location
        self.description = description
        self.fineFen = fineFen
        self.points = points
        self.recordNo = recordNo
    }
}

/// Reads the camera-violation files people really have: exports of the traffic police web or of fleet tools,
/// saved by Excel or WPS as CSV (UTF-8, with or without a BOM, or GB18030/GBK), or tab-separated.
///
/// The file is read in chunks and each record is decoded on its own, so memory stays low for any number of rows.
/// Every error is a `DeskError.invalid` naming the field and the line.
///
/// Where each part is: the bytes (`ByteSources.swift`), their encoding (`Encodings.swift`), records and fields
/// (`CSVTokenizer.swift`), cells (`Cells.swift`), the header (`Header.swift`), the values (`CellValues.swift`),
/// the errors (`ViolationFileErrors.swift`) and the reader that runs them (`ViolationFileReader.swift`).
public enum ViolationFile {
    /// The most errors `ViolationFileErrors` lists; the rest are counted in `more`.
    public static let listedErrors = 200
    /// `progress` is called after this many records (and once at the end).
    static let progressInterval = 10_000

    /// How many bytes are read at a time; any size gives the same answer (the fuzz checks compare them).
    public static let defaultChunkSize = 256 * 1024
    /// How many bytes are looked at before deciding between UTF-8 and GB18030.
    static let sniffBytes = 64 * 1024

    /// Reads and checks the whole file; returns every record, or throws `ViolationFileErrors` listing every bad line
    /// (up to `listedErrors`, then "and N more"). A file that cannot be read at all throws `DeskError.invalid`.
    public static func read(url: URL, time: ShopTime, now: Date,
                            progress: ((_ records: Int, _ bytes: Int, _ totalBytes: Int) -> Void)? = nil) throws -> [ViolationRecord] {
        try read(url: url, time: time, now: now, chunkSize: defaultChunkSize, progress: progress)
    }

    /// The same from bytes in memory (for uploads from the web).
    public static func read(data: Data, time: ShopTime, now: Date) throws -> [ViolationRecord] {
        try read(data: data, time: time, now: now, chunkSize: defaultChunkSize)
    }

    static func read(url: URL, time: ShopTime, now: Date, chunkSize: Int, forceFoundationDecoder: Bool = false,
                     progress: ((_ records: Int, _ bytes: Int, _ totalBytes: Int) -> Void)? = nil) throws -> [ViolationRecord] {
        let source = try FileSource(url: url, chunkSize: chunkSize)
        var reader = Reader(source: source, time: time, now: now, forceFoundationDecoder: forceFoundationDecoder, progress: progress)
        return try reader.run()
    }

    /// The same in chunks of `chunkSize` bytes (the fuzz checks compare the answers of several sizes).
    public static func read(data: Data, time: ShopTime, now: Date, chunkSize: Int) throws -> [ViolationRecord] {
        try read(data: data, time: time, now: now, chunkSize: chunkSize, forceFoundationDecoder: false)
    }

    static func read(data: Data, time: ShopTime, now: Date, chunkSize: Int, forceFoundationDecoder: Bool,
                     progress: ((_ records: Int, _ bytes: Int, _ totalBytes: Int) -> Void)? = nil) throws -> [ViolationRecord] {
        let source = DataSource(data: data, chunkSize: chunkSize)
        var reader = Reader(source: source, time: time, now: now, forceFoundationDecoder: forceFoundationDecoder, progress: progress)
        return try reader.run()
    }
}
