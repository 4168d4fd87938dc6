import Foundation
import Hummingbird

/// A posted form's fields, from `application/x-www-form-urlencoded` or `multipart/form-data`.
public struct Form: Sendable {
    public var fields: [String: String]
    /// Uploaded files by field name: the file name and its bytes.
    public var files: [String: (name: String, data: Data)]

    public subscript(_ key: String) -> String? {
        fields[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads the request body (up to the context's upload size) and parses it by its content type.
    static func read(_ request: Request, context: some SessionRequestContext) async throws -> Form {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data"), let boundary = Form.boundary(type) {
            return Form.multipart(data, boundary: boundary)
        }
        return Form(fields: Form.urlEncoded(String(decoding: data, as: UTF8.self)), files: [:])
    }

    static func urlEncoded(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            if fields[key] == nil { fields[key] = value }
        }
        return fields
    }

    static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
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

    /// A small multipart parser: enough for a form with text fields and a file.
    static func multipart(_ data: Data, boundary: String) -> Form {
        var form = Form(fields: [:], files: [:])
        let delimiter = Data("--\(boundary)".utf8)
        let bytes = [UInt8](data)
        var starts: [Int] = []
        var search = 0
        let d = [UInt8](delimiter)
        while search + d.count <= bytes.count {
            if bytes[search] == d[0], Array(bytes[search..<search + d.count]) == d {
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
            let part = Array(bytes[partStart..<partEnd])
            guard let split = Form.headerEnd(part) else { continue }
            let headers = String(decoding: part[0..<split], as: UTF8.self)
            let body = Data(part[(split + 4)...])
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition") }) else { continue }
            let name = Form.parameter("name", in: String(disposition)) ?? ""
            if let filename = Form.parameter("filename", in: String(disposition)) {
                form.files[name] = (filename, body)
            } else {
                form.fields[name] = String(decoding: body, as: UTF8.self)
            }
        }
        return form
    }

    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
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
