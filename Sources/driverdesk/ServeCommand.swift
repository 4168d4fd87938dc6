import ArgumentParser
import DriverDeskApp
import DriverDeskWeb
import Foundation

extension DriverDeskCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the front desk web pages (127.0.0.1:8080 by default).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Address to listen on; anything but 127.0.0.1 needs `config set web.password`.") var host: String = "127.0.0.1"
        @Option(help: "Port.") var port: Int = 8080

        func validate() throws {
            guard (1...65_535).contains(port) else {
                throw ValidationError("port: \(port) is not a port; use 1 to 65535 (8080 by default)")
            }
        }

        func run() async throws {
            let name = try global.operatorOption()
            let shop = try global.shop(.pool)
            let fixed = try global.now.map { _ in try global.clock(shop) }
            let settings = ServerSettings(host: host, port: port, clock: { fixed ?? Date() }, operatorName: name.map { "web:\($0)" } ?? "web")
            try await serve(shop: shop, settings: settings) {
                FileHandle.standardError.write(Data("DriverDesk front desk on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ (database \(global.databasePath)); Ctrl-C stops it\n".utf8))
            }
        }
    }
}
