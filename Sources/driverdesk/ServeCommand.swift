import ArgumentParser
import DriverDeskApp
import DriverDeskCore
import DriverDeskWeb
import Foundation
import Hummingbird

extension DriverDeskCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the front desk web pages (127.0.0.1:8080 by default).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Address to listen on; anything but 127.0.0.1 needs `config set web.password`.") var host: String = "127.0.0.1"
        @Option(help: "Port.") var port: Int = 8080

        func run() async throws {
            let database = try global.database()
            let fixed = try global.now.map { _ in try global.clock(database) }
            let settings = ServerSettings(host: host, port: port, clock: { fixed ?? Date() }, operatorName: global.operatorName.map { "web:\($0)" } ?? "web")
            let app = try buildApplication(database: database, settings: settings)
            FileHandle.standardError.write(Data("DriverDesk front desk on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ (database \(global.databasePath)); Ctrl-C stops it\n".utf8))
            try await app.runService()
        }
    }
}
