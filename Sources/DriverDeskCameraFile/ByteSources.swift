import DriverDeskCore
import Foundation

/// Where the bytes come from: a file read in chunks, or data in memory handed out in chunks.
protocol ByteSource {
    var totalBytes: Int { get }
    /// Appends up to one chunk to `buffer`; false at the end of the input.
    mutating func read(into buffer: inout [UInt8]) throws -> Bool
}

/// A file read in chunks (the one place this module opens a file). A file that cannot be read is a
/// `DeskError.invalid` of the field `file`, naming the path.
final class FileSource: ByteSource {
    let handle: FileHandle
    let path: String
    let chunkSize: Int
    let totalBytes: Int

    init(url: URL, chunkSize: Int) throws {
        path = url.path
        self.chunkSize = max(1, chunkSize)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DeskError.invalid(field: "file", reason: Message("input.file.missing", ["path": .text(path)]))
        }
        guard !isDirectory.boolValue else {
            throw DeskError.invalid(field: "file", reason: Message("input.file.folder", ["path": .text(path)]))
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DeskError.invalid(field: "file", reason: Message("input.file.denied", ["path": .text(path)]))
        }
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw DeskError.invalid(field: "file", reason: Message("input.file.unopenable", ["path": .text(path), "detail": .text(error.localizedDescription)]))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        totalBytes = size ?? 0
    }

    deinit { try? handle.close() }

    func read(into buffer: inout [UInt8]) throws -> Bool {
        let chunk: Data?
        do {
            chunk = try handle.read(upToCount: chunkSize)
        } catch {
            throw DeskError.invalid(field: "file", reason: Message("input.file.unreadable", ["path": .text(path), "detail": .text(error.localizedDescription)]))
        }
        guard let chunk, !chunk.isEmpty else { return false }
        buffer.append(contentsOf: chunk)
        return true
    }
}

/// Bytes in memory (an upload, a text) handed out in chunks like a file's.
struct DataSource: ByteSource {
    let data: Data
    let chunkSize: Int
    var offset = 0
    var totalBytes: Int { data.count }

    init(data: Data, chunkSize: Int) {
        self.data = data
        self.chunkSize = max(1, chunkSize)
    }

    mutating func read(into buffer: inout [UInt8]) throws -> Bool {
        guard offset < data.count else { return false }
        let end = min(data.count, offset + chunkSize)
        buffer.append(contentsOf: data[(data.startIndex + offset)..<(data.startIndex + end)])
        offset = end
        return true
    }
}
