import Foundation
import Glibc

/// A small W3C WebDriver client for the browser tests (Linux): chromedriver on a free loopback port driving headless
/// Chromium, spoken to in plain HTTP JSON. Every call checks the answer and throws with WebDriver's own message.
///
///     let browser = try WebDriver()
///     defer { browser.quit() }
///     try browser.open("http://127.0.0.1:8080/")
///     try browser.find("form.scan input").type("京A12345" + WebDriver.enter)
final class WebDriver {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// An element of the current page.
    struct Element {
        let driver: WebDriver
        let id: String

        func click() throws { try driver.call("POST", "/element/\(id)/click", [:]) }
        /// Types as a person would, key by key (`WebDriver.enter` presses Enter).
        func type(_ text: String) throws { try driver.call("POST", "/element/\(id)/value", ["text": text]) }
        /// The text as rendered (empty when hidden).
        func text() throws -> String { try driver.string(driver.call("GET", "/element/\(id)/text")) }
        /// A DOM property, e.g. `textContent` (there even when hidden) or `value`.
        func property(_ name: String) throws -> Any { try driver.call("GET", "/element/\(id)/property/\(name)") }
        func isDisplayed() throws -> Bool { try driver.call("GET", "/element/\(id)/displayed") as? Bool == true }
        /// Where it is on the page, in CSS pixels.
        func rect() throws -> (x: Double, y: Double, width: Double, height: Double) {
            let rect = try driver.call("GET", "/element/\(id)/rect") as? [String: Any] ?? [:]
            func number(_ key: String) throws -> Double {
                guard let value = rect[key] as? Double else { throw Failure(description: "element rect without \(key): \(rect)") }
                return value
            }
            return (try number("x"), try number("y"), try number("width"), try number("height"))
        }
    }

    static let enter = "\u{E007}"
    /// The key under which W3C WebDriver hands over an element's reference.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    private let chromedriver: Process
    private let port: Int
    private let base: String
    private var session: String?

    /// Starts chromedriver and a headless Chromium session with this window. `environment` is added to chromedriver's
    /// (and so Chromium's), e.g. `FONTCONFIG_FILE`.
    /// `phone`: the page is laid out for a phone's screen of that width (Chromium's mobile emulation: a desktop
    /// window is at least 500 px wide).
    init(width: Int = 1280, height: Int = 1000, phone: Bool = false, environment: [String: String] = [:]) throws {
        port = try freeLoopbackPort()
        base = "http://127.0.0.1:\(port)"
        chromedriver = Process()
        chromedriver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        // Without --allowed-ips chromedriver listens on the loopback addresses only.
        chromedriver.arguments = ["--port=\(port)", "--log-level=OFF"]
        chromedriver.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        chromedriver.standardOutput = FileHandle.nullDevice
        chromedriver.standardError = FileHandle.nullDevice
        try chromedriver.run()
        do {
            try waitUntilReady()
            var options: [String: Any] = [
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=\(phone ? 800 : width),\(height)"],
            ]
            if phone { options["mobileEmulation"] = ["deviceMetrics": ["width": width, "height": height, "pixelRatio": 1, "touch": true]] }
            let created = try send("POST", "/session", ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]])
            guard let id = (created as? [String: Any])?["sessionId"] as? String else {
                throw Failure(description: "new session: no sessionId in \(created)")
            }
            session = id
            // Finding an element waits up to 5 s for it to appear (a page still loading after a click).
            try call("POST", "/timeouts", ["implicit": 5_000, "pageLoad": 30_000])
        } catch {
            quit()
            throw error
        }
    }

    /// Ends the session (Chromium quits) and kills chromedriver. Safe to call twice.
    func quit() {
        if let session {
            _ = try? send("DELETE", "/session/\(session)")
            self.session = nil
        }
        // SIGKILL: chromedriver started from the test runner's thread has SIGTERM blocked, and ignores terminate().
        if chromedriver.isRunning { kill(chromedriver.processIdentifier, SIGKILL) }
        chromedriver.waitUntilExit()
    }

    func open(_ url: String) throws { try call("POST", "/url", ["url": url]) }
    /// Presses keys on whatever has the focus, as a USB scanner in keyboard mode does: no element is chosen, the caret
    /// and any selection stay where the page put them.
    func pressKeys(_ text: String) throws {
        var keys: [[String: Any]] = []
        for character in text { keys += [["type": "keyDown", "value": String(character)], ["type": "keyUp", "value": String(character)]] }
        _ = try call("POST", "/actions", ["actions": [["type": "key", "id": "scanner", "actions": keys]]])
    }
    func currentURL() throws -> String { try string(call("GET", "/url")) }
    func source() throws -> String { try string(call("GET", "/source")) }

    /// The first element matching a CSS selector (waiting up to 5 s for one); throws "no such element" otherwise, with
    /// the page's address and the start of its text.
    func find(_ css: String) throws -> Element {
        do {
            return try element(call("POST", "/element", ["using": "css selector", "value": css]))
        } catch let failure as Failure {
            throw Failure(description: "\(failure) — \(whereAmI())")
        }
    }

    /// The page's address and the start of its text, for failure messages.
    func whereAmI() -> String {
        let text = (try? execute("const m = document.querySelector('main') || document.body; return m ? m.innerText.slice(0, 300) : ''")) as? String ?? ""
        return "at \((try? currentURL()) ?? "?"), which shows: \(text)"
    }

    /// Every element matching a CSS selector (waiting up to 5 s for the first).
    func findAll(_ css: String) throws -> [Element] {
        guard let list = try call("POST", "/elements", ["using": "css selector", "value": css]) as? [Any] else {
            throw Failure(description: "find all \(css): not a list")
        }
        return try list.map(element)
    }

    /// Runs JavaScript in the page (`arguments[0]`… are `args`) and returns what it returns.
    @discardableResult
    func execute(_ script: String, _ args: [Any] = []) throws -> Any {
        try call("POST", "/execute/sync", ["script": script, "args": args])
    }

    /// The viewport as a PNG.
    func screenshot() throws -> Data {
        guard let png = Data(base64Encoded: try string(call("GET", "/screenshot"))) else {
            throw Failure(description: "screenshot: not base64")
        }
        return png
    }

    /// Waits (up to `seconds`) until the condition holds, e.g. until a submitted form's page has loaded.
    func wait(for what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "waited \(seconds) s for \(what); the browser is \(whereAmI())")
    }

    /// A command of this session.
    @discardableResult
    fileprivate func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Any {
        guard let session else { throw Failure(description: "\(method) \(path): no session") }
        return try send(method, "/session/\(session)\(path)", body)
    }

    fileprivate func string(_ value: Any) throws -> String {
        guard let text = value as? String else { throw Failure(description: "expected a string from WebDriver, got \(value)") }
        return text
    }

    private func element(_ value: Any) throws -> Element {
        guard let id = (value as? [String: Any])?[WebDriver.elementKey] as? String else {
            throw Failure(description: "expected an element from WebDriver, got \(value)")
        }
        return Element(driver: self, id: id)
    }

    private func waitUntilReady() throws {
        for _ in 0..<100 {
            guard chromedriver.isRunning else {
                throw Failure(description: "chromedriver exited with status \(chromedriver.terminationStatus)")
            }
            if let status = try? send("GET", "/status") as? [String: Any], status["ready"] as? Bool == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "chromedriver did not answer on \(base) within 10 s")
    }

    /// One request to chromedriver: its JSON `value`, or a Failure with WebDriver's error and message.
    private func send(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Any {
        let (status, data) = try exchange(method, path, body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data())
        let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard status == 200, let json, json.keys.contains("value") else {
            let problem = json?["value"] as? [String: Any]
            // chromedriver's message ends in a line "(Session info: chrome=…)" and a stack trace goes in its own key.
            let message = problem.map { "\($0["error"] ?? "?"): \(($0["message"] as? String ?? "").split(separator: "\n").first ?? "")" }
                ?? String(decoding: data.prefix(500), as: UTF8.self)
            throw Failure(description: "\(method) \(path): HTTP \(status): \(message)")
        }
        return json["value"] ?? NSNull()
    }

    /// One HTTP/1.1 exchange on a fresh loopback connection: the status and the body. Not URLSession: chromedriver
    /// writes its headers without a space after the colon (`Content-Length:252`), which the FoundationNetworking of
    /// Swift 6.3 rejects ("Failed writing header"; swift-corelibs-foundation PR 5527 accepts them).
    private func exchange(_ method: String, _ path: String, _ body: Data) throws -> (status: Int, body: Data) {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 90, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "\(method) \(path): cannot connect to \(base): errno \(errno)") }
        let head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json; charset=utf-8\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = [UInt8](Data(head.utf8) + body)
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "\(method) \(path): send: errno \(errno)") }
            sent += count
        }
        // The answer ends where chromedriver closes the connection (or after Content-Length bytes of body).
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let (status, body, length) = parse(response), let length, body.count >= length { return (status, body.prefix(length)) }
            let count = read(fd, &buffer, buffer.count)
            guard count >= 0 else { throw Failure(description: "\(method) \(path): no answer within 90 s (errno \(errno))") }
            if count == 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        guard let (status, body, _) = parse(response) else {
            throw Failure(description: "\(method) \(path): not an HTTP answer: \(String(decoding: response.prefix(200), as: UTF8.self))")
        }
        return (status, body)
    }

    /// An HTTP response's status, its body so far and its Content-Length; nil until the headers are complete.
    private func parse(_ response: Data) -> (Int, Data, Int?)? {
        guard let end = response.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: response[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
        guard let first = lines.first, first.hasPrefix("HTTP/1."), let status = Int(first.split(separator: " ").dropFirst().first ?? "") else { return nil }
        let length = lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
        return (status, Data(response[end.upperBound...]), length)
    }
}

/// A TCP port that nothing listens on at 127.0.0.1 just now: the one the kernel picks for a bind to port 0.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, streamSocket, 0)
    guard fd >= 0 else { throw WebDriver.Failure(description: "socket: errno \(errno)") }
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw WebDriver.Failure(description: "bind to 127.0.0.1:0: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// 127.0.0.1:port as a socket address.
private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

private let streamSocket = Int32(SOCK_STREAM.rawValue)
