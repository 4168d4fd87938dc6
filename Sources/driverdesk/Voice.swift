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

    static func describe(_ error: DeskError) -> String {
        guard let (catalogue, time) = current.withLock({ $0 }) else { return error.localizedDescription }
        var text = catalogue.describe(error, time: time)
        if case .refusedWith(_, let reasons) = error {
            text += reasons.compactMap { catalogue.hint($0, time: time) }.map { " " + $0 }.joined()
        }
        return text
    }
}
