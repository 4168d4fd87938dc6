@testable import DriverDeskApp
import DriverDeskStore
import DriverDeskWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import StoreHarness
import Testing

/// A front desk on a fresh database (in memory on SQLite, or a shop of a chain database of its own) at a fixed time,
/// with 王磊, 李强, 京A12345 and 沪B88888 in it.
struct WebHarness {
    let test: TestStore
    let workshop: Shop
    let now: Date
    let time = ShopTime(zone: TimeZone(identifier: "Asia/Shanghai")!)

    init(now text: String = "2026-11-20 12:00", shop: Bool = true, backend: Backend = .sqlite) throws {
        test = try TestStore(backend)
        workshop = Shop(database: test.store)
        now = try time.parse(text, field: "now", now: Date())
        if shop {
            let desk = workshop.desk(now: now, operator: "setup")
            _ = try desk.initialise(shopName: "测试汽修", timeZone: nil)
            _ = try desk.addStaff(name: "王磊", idNumber: "110105198803124111", licenseClass: "C1", licenseFirstIssued: "2009-05-20", licenseValidUntil: "2031-05-20", phone: "13911020001")
            _ = try desk.addStaff(name: "李强", idNumber: "11010519491231002X", licenseClass: "C1", licenseFirstIssued: "2012-08-03", licenseValidUntil: "2028-08-03", phone: nil)
            _ = try desk.addVehicle(plate: "京A12345", owner: "张伟", ownerPhone: "13800138000", engineLast6: "A1B2C3", usage: nil, size: nil)
            _ = try desk.addVehicle(plate: "沪B88888", owner: "上海某某贸易有限公司", ownerPhone: nil, engineLast6: nil, usage: nil, size: nil)
            _ = try desk.checkin(plate: "京A12345", at: "2026-11-20 09:00", orderNo: "WO-1")
        }
    }

    var desk: Desk { workshop.desk(now: now, operator: "check") }

    func settings(host: String = "127.0.0.1", clock: MovableClock? = nil, behindProxy: Bool = false) -> ServerSettings {
        let now = self.now
        return ServerSettings(host: host, port: 0, clock: { clock?.now ?? now }, behindProxy: behindProxy)
    }

    /// Runs `body` against the router with a browser that keeps its cookie and reads CSRF tokens off pages. The
    /// router is the server's (`buildRouter`); the harness only lets each browser say which address it comes from.
    func test(clock: MovableClock? = nil, behindProxy: Bool = false, _ body: @escaping @Sendable (Browser) async throws -> Void) async throws {
        // What the server checks before it builds the router (no serving beyond this machine before an account).
        _ = try buildApplication(shop: workshop, settings: settings(clock: clock, behindProxy: behindProxy))
        let templates = try Templates.shipped()
        let app = WebApp(shop: workshop, pages: try Pages(templates: templates), settings: settings(clock: clock, behindProxy: behindProxy))
        let router = buildRouter(app, staticFolder: templates.folder.appendingPathComponent("static").path)
        let application = Application(responder: AddressedResponder(inner: router.buildResponder()), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.router) { client in
            try await body(Browser(client: client))
        }
    }

    /// Rows in a table, read through the store behind the shop (test-only access).
    func count(_ table: String) throws -> Int {
        try test.count(table)
    }
}

import GRDB
import NIOCore
import Synchronization

/// The client's address for router tests, which have no socket: a browser of the harness names its address in a
/// header of the tests' own, and this responder puts it where a connection's address goes (`WebContext.remoteAddress`),
/// so that limits per address (failed logins) can tell two clients apart. Only the tests' application has it: the
/// server takes the address from its socket alone.
struct AddressedResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == WebContext {
    let inner: Inner

    func respond(to request: Request, context: WebContext) async throws -> Response {
        var context = context
        if let address = request.headers[Browser.addressHeader] {
            context.remoteAddress = try SocketAddress(ipAddress: address, port: 50_000)
        }
        return try await inner.respond(to: request, context: context)
    }
}

/// The server's clock, moved forward by a test (sessions that outlive their shift, locks that lift).
final class MovableClock: Sendable {
    private let date: Mutex<Date>

    init(_ start: Date) { date = Mutex(start) }

    var now: Date { date.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A browser for route tests: one session cookie, the last page's CSRF token.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookie: String?
    var csrf: String?

    init(client: any TestClientProtocol, address: String? = nil) {
        self.client = client
        self.address = address
    }

    struct Page {
        var status: HTTPResponse.Status
        var body: String
        var location: String?
        var headers: HTTPFields
    }

    @discardableResult
    func get(_ uri: String) async throws -> Page {
        try await send(uri, method: .get, body: nil, contentType: nil)
    }

    /// Posts a form; the page's CSRF token is added unless `csrf` says otherwise.
    @discardableResult
    func post(_ uri: String, _ fields: [String: String], csrf override: String? = nil, withToken: Bool = true) async throws -> Page {
        var fields = fields
        if withToken { fields["csrf"] = override ?? csrf ?? "" }
        let body = fields.map { "\(Browser.encode($0.key))=\(Browser.encode($0.value))" }.joined(separator: "&")
        return try await send(uri, method: .post, body: ByteBuffer(string: body), contentType: "application/x-www-form-urlencoded")
    }

    /// Posts a file upload as a browser does (multipart/form-data).
    @discardableResult
    func upload(_ uri: String, file: Data, name: String, fields: [String: String]) async throws -> Page {
        let boundary = "----driverdesk\(UUID().uuidString)"
        var body = Data()
        var all = fields
        all["csrf"] = csrf ?? ""
        for (key, value) in all {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n".utf8))
        body.append(file)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await send(uri, method: .post, body: ByteBuffer(bytes: body), contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// Extra headers on every request (a foreign Host).
    var extraHeaders: HTTPFields = [:]
    /// The address this browser's requests come from (router tests of `WebHarness`); nil: the router's "unknown".
    var address: String?
    /// The header that carries it to `AddressedResponder`.
    static let addressHeader = HTTPFields.Element.Name("X-Test-Client-Address")!

    func send(_ uri: String, method: HTTPRequest.Method, body: ByteBuffer?, contentType: String?) async throws -> Page {
        var headers: HTTPFields = extraHeaders
        if let address { headers[Browser.addressHeader] = address }
        if let cookie { headers[.cookie] = cookie }
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        if let setCookie = response.headers[.setCookie], let pair = setCookie.split(separator: ";").first {
            cookie = String(pair)
        }
        let text = String(buffer: response.body)
        if let range = text.range(of: "name=\"csrf\" value=\"") {
            let rest = text[range.upperBound...]
            csrf = String(rest.prefix { $0 != "\"" })
        }
        return Page(status: response.status, body: text, location: response.headers[.location], headers: response.headers)
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._*"))) ?? text
    }
}
