import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `driverdesk serve` on a random loopback port, for as long as a test needs it.
final class Server: @unchecked Sendable {
    let shop: Shop
    let port: Int
    let base: String
    private let started: (process: Process, out: URL, err: URL)
    private let since = Date()

    /// Starts the server on the shop's database; tries other ports when one is taken.
    init(_ shop: Shop, now: String? = nil) throws {
        try Shop.requireBinary()
        self.shop = shop
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let port = Int.random(in: 20_000...60_000, using: &generator)
            let arguments = ["serve", "--db", shop.db, "--now", now ?? shop.now, "--host", "127.0.0.1", "--port", String(port)]
            let started = try Processes.start(Shop.binary, arguments, environment: shop.environment, folder: shop.folder)
            let base = "http://127.0.0.1:\(port)"
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, started.process.isRunning {
                if (try? Server.curl(["-s", "-o", "/dev/null", "-m", "2", "-w", "%{http_code}", base + "/login"], folder: shop.folder).stdout) == "200" {
                    self.port = port
                    self.base = base
                    self.started = started
                    return
                }
                usleep(100_000)
            }
            if started.process.isRunning { kill(started.process.processIdentifier, SIGKILL) }
            started.process.waitUntilExit()
        }
        throw HarnessError.server("did not start on any of 8 random ports")
    }

    var isRunning: Bool { started.process.isRunning }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and returns how it ended.
    @discardableResult
    func stop() -> Outcome {
        let pid = started.process.processIdentifier
        if started.process.isRunning { kill(pid, SIGTERM) }
        return Processes.finish(started, since: since, timeout: 5)
    }

    deinit {
        if started.process.isRunning { kill(started.process.processIdentifier, SIGKILL) }
    }

    static func curl(_ arguments: [String], folder: URL) throws -> Outcome {
        try Processes.run("/usr/bin/curl", arguments, environment: ProcessInfo.processInfo.environment, folder: folder, timeout: 60)
    }
}

/// A browser made of curl: one cookie jar (the session), and the CSRF token of the last page it read.
final class CurlBrowser: @unchecked Sendable {
    let server: Server
    let jar: URL
    var csrf: String?
    var sendsCookies = true

    struct Page {
        var status: Int
        var body: String
        var location: String?
    }

    init(_ server: Server) {
        self.server = server
        jar = server.shop.folder.appendingPathComponent("cookies-\(UUID().uuidString).txt")
    }

    @discardableResult
    func get(_ path: String) throws -> Page {
        try request(path, body: nil)
    }

    /// Posts a form (urlencoded by hand, so that any character, NUL included, can be sent), with the CSRF token.
    @discardableResult
    func post(_ path: String, _ fields: [String: String], withToken: Bool = true) throws -> Page {
        var fields = fields
        if withToken { fields["csrf"] = csrf ?? "" }
        let body = fields.map { "\(CurlBrowser.encode($0.key))=\(CurlBrowser.encode($0.value))" }.joined(separator: "&")
        return try request(path, body: body)
    }

    /// Uploads a file as a browser does (multipart/form-data), with the CSRF token.
    @discardableResult
    func upload(_ path: String, file: URL, fields: [String: String] = [:]) throws -> Page {
        var arguments = ["-F", "csrf=\(csrf ?? "")"]
        for (key, value) in fields { arguments += ["-F", "\(key)=\(value)"] }
        arguments += ["-F", "file=@\(file.path);type=text/csv"]
        return try request(path, body: nil, extra: arguments)
    }

    private func request(_ path: String, body: String?, extra: [String] = []) throws -> Page {
        let folder = server.shop.folder
        let bodyFile = folder.appendingPathComponent("page-\(UUID().uuidString).html")
        let headerFile = folder.appendingPathComponent("headers-\(UUID().uuidString).txt")
        defer {
            try? FileManager.default.removeItem(at: bodyFile)
            try? FileManager.default.removeItem(at: headerFile)
        }
        var arguments = ["-s", "-m", "60", "-o", bodyFile.path, "-D", headerFile.path, "-w", "%{http_code}"]
        if sendsCookies { arguments += ["-b", jar.path, "-c", jar.path] }
        if let body {
            arguments += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-raw", body]
        }
        arguments += extra
        arguments.append(server.base + path)
        let outcome = try Server.curl(arguments, folder: folder)
        let text = String(decoding: (try? Data(contentsOf: bodyFile)) ?? Data(), as: UTF8.self)
        let headers = String(decoding: (try? Data(contentsOf: headerFile)) ?? Data(), as: UTF8.self)
        let location = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }
            .map { String($0.dropFirst("location:".count)).trimmingCharacters(in: .whitespaces) }
        if let range = text.range(of: "name=\"csrf\" value=\"") {
            csrf = String(text[range.upperBound...].prefix { $0 != "\"" })
        }
        return Page(status: Int(outcome.stdout) ?? 0, body: text, location: location)
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func pathEncode(_ text: String) -> String { encode(text) }
}
