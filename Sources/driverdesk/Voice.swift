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

    /// The catalogue of this command's language (the shop's default before a desk was opened).
    static var words: Catalogue {
        if let (catalogue, _) = current.withLock({ $0 }) { return catalogue }
        return (try? Catalogue.shipped(.zhHans)) ?? Catalogue.empty
    }

    /// The catalogue and the shop's time zone; before a desk was opened (a bad `--db`, a bad `--lang`), the shop's
    /// default language and UTC.
    static var speaking: (catalogue: Catalogue, time: ShopTime) {
        current.withLock { $0 } ?? (words, ShopTime(zone: TimeZone(identifier: "UTC")!))
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
