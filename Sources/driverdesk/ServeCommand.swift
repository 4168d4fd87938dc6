import ArgumentParser
import DriverDeskApp
import DriverDeskWeb
import Foundation

extension DriverDeskCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the front desk web pages (127.0.0.1:8080 by default).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Address to listen on; anything but 127.0.0.1 needs an account first (`user add`).") var host: String = "127.0.0.1"
        @Option(help: "Port.") var port: Int = 8080
        @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this certificate (PEM, the server's first, then its chain); needs --tls-key.") var tlsCert: String?
        @Option(name: .customLong("tls-key"), help: "The certificate's private key (PEM, unencrypted).") var tlsKey: String?

        func validate() throws {
            guard (1...65_535).contains(port) else {
                throw ValidationError(Voice.say(Message("cli.serve.port", ["port": .number(port)])))
            }
        }

        /// Both TLS files or neither (exit 2 naming the one missing).
        func tlsFiles() throws -> TLSFiles? {
            switch (tlsCert, tlsKey) {
            case (nil, nil): return nil
            case (let cert?, let key?): return TLSFiles(certificate: cert, key: key)
            case (nil, _): throw DeskError.invalid(field: "tls-cert", reason: Message("input.tls.pair"))
            case (_, nil): throw DeskError.invalid(field: "tls-key", reason: Message("input.tls.pair"))
            }
        }

        /// The address the front desk answers at, as `serve` announces it.
        func address(tls: Bool) -> String {
            "\(tls ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
        }

        func run() async throws {
            let tls = try tlsFiles()
            let name = try global.operatorOption()
            if let chain = try global.chainManager() {
                // `?shop=*`: the chain manager's view, one read-only page.
                defer { chain.close() }
                let fixed = chain.now, isFixed = (global.now ?? ProcessInfo.processInfo.environment["DRIVERDESK_NOW"]).map { !$0.isEmpty } ?? false
                let settings = ServerSettings(host: host, port: port, clock: { isFixed ? fixed : Date() }, operatorName: "web", tls: tls)
                try await serveChain(chain: chain, settings: settings) {
                    let address = self.address(tls: tls != nil)
                    FileHandle.standardError.write(Data((Voice.say(Message("cli.serve.started", ["address": .text(address), "path": .text(global.shownDatabase)])) + "\n").utf8))
                }
                return
            }
            let shop = try global.shop(.pool)
            let fixed = try global.now.map { _ in try global.clock(shop) }
            let settings = ServerSettings(host: host, port: port, clock: { fixed ?? Date() }, operatorName: name.map { "web:\($0)" } ?? "web", tls: tls)
            try await serve(shop: shop, settings: settings) {
                let address = self.address(tls: tls != nil)
                FileHandle.standardError.write(Data((Voice.say(Message("cli.serve.started", ["address": .text(address), "path": .text(global.shownDatabase)])) + "\n").utf8))
            }
        }
    }
}
