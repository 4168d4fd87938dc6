import DriverDeskCore
import Foundation

extension Catalogue {
    /// A setting's value as a person reads it, the same on the settings page and in the audit: 开/关, a number with its
    /// unit (10 分钟, 3%), the purposes in words, the language by its own name, a shop's fine in money (empty: the
    /// reference fine), “（空）”. `money` writes an amount (the audit's has both decimals).
    public func settingValue(_ text: String, of setting: Setting, money: ((Int) -> String)? = nil) -> String {
        let empty = render(Message("setting.empty"))
        switch setting.kind {
        case .boolean:
            return text == "true" ? render(Message("setting.on")) : text == "false" ? render(Message("setting.off")) : text
        case .money:
            if text.isEmpty { return render(Message("audit.value.referenceFine")) }
            return (try? Money.fen(text, field: setting.key)).map { money?($0) ?? self.money(fen: $0) } ?? text
        case .choices(_, let term):
            let items = text.split(separator: ",").map { self.term(term, String($0)) }
            return items.isEmpty ? empty : items.joined(separator: language == .zhHans ? "、" : ", ")
        case .choice:
            return Language(rawValue: text)?.ownName ?? text
        case .integer, .decimal:
            guard !text.isEmpty else { return empty }
            guard let unit = setting.unit else { return text }
            let word = term("unit", unit.rawValue)
            return unit == .percent ? text + word : text + " " + word
        case .text, .timeZone, .hostNames, .url:
            return text.isEmpty ? empty : text
        }
    }
}
