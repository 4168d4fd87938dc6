import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What no browser sends, sent as bytes on a socket of its own to a live server on 127.0.0.1: a whole address as the
/// request target, no `Host`, a body that never ends. The socket's work runs on a thread of its own (never on the
/// cooperative pool the server's handlers need), and every wait has a deadline.
enum RawHTTP {
    struct Answer: CustomStringConvertible {
        var status: Int
        var head: String
        var body: String
        var description: String { "\(status) \(head.prefix(300)) \(body.prefix(300))" }

        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `request` and reads one answer (its head, then as many bytes as its `Content-Length` says), within
    /// `seconds`; a server still waiting for more of the request when they are over is a failure.
    static func exchange(port: Int, _ request: [UInt8], seconds: Double = 15) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, request, seconds: seconds) })
            }
        }
    }

    static func exchange(port: Int, _ request: String, seconds: Double = 15) async throws -> Answer {
        try await exchange(port: port, Array(request.utf8), seconds: seconds)
    }

    private static func blockingExchange(port: Int, _ request: [UInt8], seconds: Double) throws -> Answer {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to 127.0.0.1:\(port): \(errno)") }
        let deadline = Date().addingTimeInterval(seconds)
        // Each read waits at most a tenth of a second, so that the deadline is kept.
        var wait = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // Sending and reading interleave: a server that answers before the request is all sent is heard.
        while Date() < deadline {
            if sent < request.count {
                let count = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, min($0.count, 65_536), Int32(MSG_NOSIGNAL)) }
                if count > 0 { sent += count }
            }
            // While there is more to send, only what has already arrived is read.
            let count = recv(socket, &buffer, buffer.count, sent < request.count ? Int32(MSG_DONTWAIT) : 0)
            if count > 0 {
                received += buffer[0..<count]
                if let answer = answer(in: received) { return answer }
            } else if count == 0 {
                // The server closed the connection.
                if let answer = answer(in: received, closed: true) { return answer }
                throw Failure(description: "the server closed the connection without an answer: \(String(decoding: received, as: UTF8.self))")
            } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                if let answer = answer(in: received, closed: true) { return answer }
                throw Failure(description: "recv: \(errno) after \(sent) of \(request.count) bytes sent")
            }
        }
        throw Failure(description: "no answer within \(seconds) s (\(sent) of \(request.count) bytes sent): \(String(decoding: received.prefix(300), as: UTF8.self))")
    }

    /// The first whole answer in `bytes`, if there is one.
    private static func answer(in bytes: [UInt8], closed: Bool = false) -> Answer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var answer = Answer(status: status, head: head, body: "")
        let bodyStart = end + 4
        if let length = answer.header("Content-Length").flatMap({ Int($0) }) {
            guard bytes.count >= bodyStart + length else { return nil }
            answer.body = String(decoding: bytes[bodyStart..<bodyStart + length], as: UTF8.self)
            return answer
        }
        // Without a length the body ends with the connection.
        guard closed else { return nil }
        answer.body = String(decoding: bytes[bodyStart...], as: UTF8.self)
        return answer
    }
}
