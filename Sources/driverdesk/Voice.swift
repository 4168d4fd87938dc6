import DriverDeskApp
import Foundation
import Synchronization

/// The language this command speaks, for what reaches the top as an error: a refusal's reasons rendered through the
/// desk's catalogue, then the command line's own hint of what to do next (a command to type).
enum Voice {
    private static let current = Mutex<(catalogue: Catalogue, time: ShopTime)?>(nil)

    /// Called once the command has its desk (and so its language and the shop's time zone).
    static func use(_ desk: Desk) {
        guard let config = try? desk.config(), let catalogue = try? desk.catalogue(config) else { return }
        current.withLock { $0 = (catalogue, config.time) }
    }

    /// The catalogue of this command's language. Before a desk was opened (a usage error, a database that cannot be
    /// opened): `--lang` or `$DRIVERDESK_LANG` when they name a language, else 简体中文, the default of every shop.
    static var words: Catalogue {
        if let (catalogue, _) = current.withLock({ $0 }) { return catalogue }
        return (try? Catalogue.shipped(requested ?? .zhHans)) ?? Catalogue.empty
    }

    /// The language asked for on the command line or in the environment, read without a parser (it may have failed).
    static var requested: Language? {
        let arguments = CommandLine.arguments
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("--lang=") { return try? Language.parse(String(argument.dropFirst(7)), field: "lang") }
            if argument == "--lang", index + 1 < arguments.count { return try? Language.parse(arguments[index + 1], field: "lang") }
        }
        return try? Language.parse(ProcessInfo.processInfo.environment["DRIVERDESK_LANG"], field: "DRIVERDESK_LANG")
    }

    /// The catalogue and the shop's time zone; before a desk was opened (a bad `--db`, a bad `--lang`), the shop's
    /// default language and UTC.
    static var speaking: (catalogue: Catalogue, time: ShopTime) {
        current.withLock { $0 } ?? (words, ShopTime(zone: TimeZone(identifier: "UTC")!))
    }

    /// A message of the command line's own (`cli.…`) in this command's language.
    static func say(_ message: Message) -> String {
        let (catalogue, time) = speaking
        return catalogue.render(message, time: time)
    }

    /// "最近移车（3）：" or "Recent movements (3):": a section of the text output, by its label.
    static func heading(_ label: String, _ count: Int) -> String {
        let words = words
        return words.language == .zhHans ? "\(words.label(label))（\(count)）：" : "\(words.label(label)) (\(count)):"
    }

    /// An error in this command's language, then the command line's hint of what to type next.
    static func describe(_ error: DeskError) -> String {
        let (catalogue, time) = speaking
        return ([catalogue.describe(error, time: time)] + catalogue.hints(error, time: time)).joined(separator: " ")
    }

    static func describe(_ errors: ViolationFileErrors) -> String {
        let (catalogue, time) = speaking
        return catalogue.describe(errors, time: time)
    }

    static func describe(_ errors: ImportErrors) -> String {
        let (catalogue, time) = speaking
        return catalogue.describe(errors, time: time)
    }
}
