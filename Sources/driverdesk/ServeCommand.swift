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

        func validate() throws {
            guard (1...65_535).contains(port) else {
                throw ValidationError(Voice.say(Message("cli.serve.port", ["port": .number(port)])))
            }
        }

        func run() async throws {
            let name = try global.operatorOption()
            if let chain = try global.chainManager() {
                // `?shop=*`: the chain manager's view, one read-only page.
                defer { chain.close() }
                let fixed = chain.now, isFixed = (global.now ?? ProcessInfo.processInfo.environment["DRIVERDESK_NOW"]).map { !$0.isEmpty } ?? false
                let settings = ServerSettings(host: host, port: port, clock: { isFixed ? fixed : Date() }, operatorName: "web")
                try await serveChain(chain: chain, settings: settings) {
                    let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
                    FileHandle.standardError.write(Data((Voice.say(Message("cli.serve.started", ["address": .text(address), "path": .text(global.shownDatabase)])) + "\n").utf8))
                }
                return
            }
            let shop = try global.shop(.pool)
            let fixed = try global.now.map { _ in try global.clock(shop) }
            let settings = ServerSettings(host: host, port: port, clock: { fixed ?? Date() }, operatorName: name.map { "web:\($0)" } ?? "web")
            try await serve(shop: shop, settings: settings) {
                let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
                FileHandle.standardError.write(Data((Voice.say(Message("cli.serve.started", ["address": .text(address), "path": .text(global.shownDatabase)])) + "\n").utf8))
            }
        }
    }
}
