import Foundation
import Hummingbird

/// A posted form's fields, from `application/x-www-form-urlencoded` or `multipart/form-data`.
public struct Form: Sendable {
    public var fields: [String: String]
    /// Uploaded files by field name: the file name and its bytes.
    public var files: [String: (name: String, data: Data)]
    /// The fields whose name or value is not UTF-8 (as far as their names can be shown): such a form is refused, never
    /// stored with its bytes guessed at.
    public var undecodable: [String] = []

    public subscript(_ key: String) -> String? {
        fields[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads the request body, at most `limit` bytes (`NIOTooManyBytesError` as soon as it grows past them), and
    /// parses it by its content type.
    static func read(_ request: Request, limit: Int) async throws -> Form {
        let buffer = try await request.body.collect(upTo: limit)
        let bytes = Array(buffer.readableBytesView)
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data"), let boundary = Form.boundary(type) {
            return Form.multipart(bytes, boundary: boundary)
        }
        return Form.urlEncoded(bytes)
    }

    /// `name=value&…` with `+` for a space and `%XX` for a byte; the bytes of each name and value must be UTF-8.
    static func urlEncoded(_ bytes: [UInt8]) -> Form {
        var form = Form(fields: [:], files: [:])
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            form.add(name: decode(parts[0]), value: parts.count > 1 ? decode(parts[1]) : [])
        }
        return form
    }

    /// The value of an ASCII hex digit (`%XX` in a form or a path), or nil.
    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The bytes a form's text stands for: `+` is a space, `%XX` a byte; a `%` not followed by two hex digits stays.
    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        let hex = Form.hexDigit
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%"), index + 2 < text.endIndex, let high = hex(text[index + 1]), let low = hex(text[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
                continue
            }
            bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return bytes
    }

    /// One field: kept when its name and value are UTF-8 (the first of a name wins), else named in `undecodable`.
    mutating func add(name: [UInt8], value: [UInt8]) {
        guard let key = String(validating: name, as: UTF8.self), let text = String(validating: value, as: UTF8.self) else {
            undecodable.append(WebApp.shown(String(decoding: name, as: UTF8.self)))
            return
        }
        if fields[key] == nil { fields[key] = text }
    }

    static func boundary(_ contentType: String) -> String? {
        for part in contentType.split(separator: ";") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased().hasPrefix("boundary=") {
                return String(trimmed.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// A small multipart parser: enough for a form with text fields and a file. A file's bytes are kept as they are
    /// (a camera file may be GB18030); a text field is UTF-8 or refused.
    static func multipart(_ bytes: [UInt8], boundary: String) -> Form {
        var form = Form(fields: [:], files: [:])
        let d = Array("--\(boundary)".utf8)
        guard !d.isEmpty else { return form }
        var starts: [Int] = []
        var search = 0
        while search + d.count <= bytes.count {
            if bytes[search] == d[0], bytes[search..<search + d.count].elementsEqual(d) {
                starts.append(search)
                search += d.count
            } else {
                search += 1
            }
        }
        for (index, start) in starts.enumerated() where index + 1 < starts.count {
            var partStart = start + d.count
            if partStart + 1 < bytes.count, bytes[partStart] == 13, bytes[partStart + 1] == 10 { partStart += 2 }
            var partEnd = starts[index + 1]
            if partEnd >= 2, bytes[partEnd - 2] == 13, bytes[partEnd - 1] == 10 { partEnd -= 2 }
            guard partStart < partEnd else { continue }
            let part = bytes[partStart..<partEnd]
            guard let split = Form.headerEnd(part) else { continue }
            let rawHeaders = part[part.startIndex..<split]
            let validHeaders = String(validating: rawHeaders, as: UTF8.self)
            let headers = validHeaders ?? String(decoding: rawHeaders, as: UTF8.self)
            let body = Array(part[(split + 4)...])
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition") }) else { continue }
            let name = Form.parameter("name", in: String(disposition)) ?? ""
            if let filename = Form.parameter("filename", in: String(disposition)) {
                form.files[name] = (filename, Data(body))
            } else if validHeaders == nil {
                form.undecodable.append(WebApp.shown(name))
            } else {
                form.add(name: Array(name.utf8), value: body)
            }
        }
        return form
    }

    /// Where the part's headers end (the blank line), as an index of `bytes`.
    static func headerEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = bytes.startIndex
        while i + 3 < bytes.endIndex {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("\(name)=") {
                return String(trimmed.dropFirst(name.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
