import DriverDeskApp
import Foundation
import Hummingbird
internal import HummingbirdCore
internal import HummingbirdTLS
internal import Logging
import NIOCore
internal import NIOHTTP1

/// What a request may carry before any page reads it: a body no larger than its page needs (a login's 16 KB, a form's
/// 1 MB, the camera file's upload 20 MB), and a path without control characters.
public struct RequestLimits: Sendable {
    public static let kilobyte = 1_024, megabyte = 1_024 * 1_024

    /// The login form: a name and a password.
    public var login = 16 * kilobyte
    /// Every other form.
    public var form = megabyte
    /// The camera file's upload (README, "The front desk in a browser"): about 200,000 lines of a traffic police
    /// export. The server holds an upload in memory while it checks it; a bigger file goes through
    /// `driverdesk violation import`, which streams.
    public var upload = 20 * megabyte
    /// The paths that take an upload.
    public var uploadPaths: Set<String> = []

    /// The front desk's: the camera file is uploaded on `/violations/import`.
    public static let frontDesk = RequestLimits(uploadPaths: ["/violations/import"])
    /// The chain manager's page: a login and a logout.
    public static let chainPage = RequestLimits()

    /// The largest body a request to `path` may carry (`/login/` is `/login`, as the router takes it).
    public func body(for path: String) -> Int {
        let path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if path == "/login" { return login }
        return uploadPaths.contains(path) ? upload : form
    }

    /// The refusal of a body over the limit of `path`: its size in words, and for an upload the way round it.
    func tooLarge(for path: String) -> Message {
        let limit = body(for: path)
        let path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let shown: String = limit >= RequestLimits.megabyte ? "\(limit / RequestLimits.megabyte) MB" : "\(limit / RequestLimits.kilobyte) KB"
        if uploadPaths.contains(path) { return Message("web.request.uploadTooLarge", ["limit": .text(shown)]) }
        return Message("web.request.tooLarge", ["limit": .text(shown)])
    }

    /// Whether a request path (before its query) holds a control character, as it is or percent-encoded (%00–%1F, %7F):
    /// a file name cut short at a NUL (`desk.css%00.html`) must not be served under another type.
    public static func hasControlCharacter(_ path: Substring) -> Bool {
        let bytes = Array(path.utf8)
        let hex = Form.hexDigit
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F { return true }
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                let decoded = high << 4 | low
                if decoded < 0x20 || decoded == 0x7F { return true }
                index += 3
                continue
            }
            index += 1
        }
        return false
    }
}

/// Refuses, before any session is read or any route runs, a path with control characters (400) and a body whose
/// `Content-Length` is over the path's limit (413: nothing of it is read). A body sent without a length (chunked) is
/// read up to the limit and no further (`CSRFMiddleware`).
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let limits: RequestLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.head.path ?? ""
        let path = target.prefix { $0 != "?" }
        if RequestLimits.hasControlCharacter(path) {
            return PlainRefusal.response(.badRequest, Message("web.request.controlCharacters"))
        }
        let route = request.uri.path
        if let declared = request.headers[.contentLength], let length = Int(declared.trimmingCharacters(in: .whitespaces)), length > limits.body(for: route) {
            return PlainRefusal.response(.contentTooLarge, limits.tooLarge(for: route))
        }
        return try await next(request, context)
    }
}

/// A refusal before there is a session, and so a language: both catalogues' words, 简体中文 first.
enum PlainRefusal {
    static func response(_ status: HTTPResponse.Status, _ message: Message) -> Response {
        let zh = (try? Catalogue.shipped(.zhHans).render(message)) ?? message.code
        let en = (try? Catalogue.shipped(.en).render(message)) ?? message.code
        let text = "\(status.code)：\(zh)\n\(status.code): \(en)\n"
        return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The request target as the client wrote it. NIO's HTTP types keep only the path of `GET http://evil.example/login`,
/// so that a target naming another host would pass for `/login` with a harmless `Host`; this handler sits between
/// HTTP/1's decoder and that conversion and marks a target that is not a path, for `HostGuardMiddleware` to refuse.
/// A mark the client sent itself is removed.
final class RequestTargetHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// The mark's header: present (with the value `not-a-path`) only when this handler put it there.
    static let mark = "DriverDesk-Request-Target"
    static var markName: HTTPFields.Element.Name { HTTPFields.Element.Name(mark)! }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard case .head(var head) = part else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: RequestTargetHandler.mark)
        // An origin-form target is a path (RFC 9112 3.2.1); absolute-form, authority-form and `*` are not.
        if !head.uri.hasPrefix("/") { head.headers.add(name: RequestTargetHandler.mark, value: "not-a-path") }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

/// HTTP/1 as Hummingbird serves it, with `RequestTargetHandler` right behind the decoder.
struct MarkedTargetChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value
    let http1: HTTP1Channel

    var responder: HTTPChannelHandler.Responder { http1.responder }

    func setup(channel: any NIOCore.Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(RequestTargetHandler(), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the request target marked (`RequestTargetHandler`): the front desk's and the chain page's server.
    static var markedTargets: HTTPServerBuilder {
        HTTPServerBuilder { responder in MarkedTargetChannel(http1: HTTP1Channel(responder: responder)) }
    }

    /// The same, over TLS when `files` are given: the certificate chain and its key are read (and checked) once, here.
    static func markedTargets(tls files: TLSFiles?) throws -> HTTPServerBuilder {
        guard let files else { return markedTargets }
        let configuration = try files.configuration()
        return HTTPServerBuilder { responder in
            try TLSChannel(MarkedTargetChannel(http1: HTTP1Channel(responder: responder)), tlsConfiguration: configuration)
        }
    }
}

/// The PEM files of `serve --tls-cert FILE --tls-key FILE`: the server's certificate (with its chain) and private key.
public struct TLSFiles: Sendable, Equatable {
    public var certificate: String
    public var key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }

    /// The server's TLS configuration; a file that cannot be read as PEM is refused naming its option (exit 2).
    func configuration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw DeskError.invalid(field: "tls-cert", reason: Message("input.tls.certificate", ["path": .text(certificate)]))
        }
        guard !chain.isEmpty else { throw DeskError.invalid(field: "tls-cert", reason: Message("input.tls.certificate", ["path": .text(certificate)])) }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: self.key, format: .pem) } catch {
            throw DeskError.invalid(field: "tls-key", reason: Message("input.tls.key", ["path": .text(self.key)]))
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
