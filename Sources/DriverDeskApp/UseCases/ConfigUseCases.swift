import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension ShopStore {
    /// The shop's settings, defaults filled in.
    func config() throws -> Config {
        try reading { tx in try tx.config() }
    }

    /// Changes one setting after checking its value; audited.
    @discardableResult
    func setConfig(key: String, value: String, context: WriteContext) throws -> Config {
        let setting = try Config.setting(key)
        let normal = try setting.normalise(value)
        return try writing { tx in
            let before = try tx.setting(key)
            try tx.putSetting(key, normal)
            let shown = (before: before ?? setting.defaultValue, after: normal)
            try tx.audit(context, action: "config.set", subject: key,
                         before: Audit.json([key: shown.before]), after: Audit.json([key: shown.after]))
            return try tx.config()
        }
    }

    /// Whether `init` has run on this database (or any setting was made).
    func isInitialised() throws -> Bool {
        try reading { tx in try tx.setting("shop.name") != nil }
    }
}

extension ShopStore {
    /// Sets up a new shop: its name and time zone, in one transaction.
    func initialise(shopName: String?, timeZone: String?, context: WriteContext) throws -> Config {
        var changes: [(Setting, String)] = []
        let name = try Config.setting("shop.name")
        let zone = try Config.setting("shop.timeZone")
        if let shopName { changes.append((name, try name.normalise(shopName))) }
        if let timeZone { changes.append((zone, try zone.normalise(timeZone))) }
        return try writing { tx in
            let current = try tx.config()
            let fresh = try tx.setting("shop.name") == nil
            if fresh && shopName == nil { changes.append((name, name.defaultValue)) }
            for (setting, value) in changes {
                try tx.putSetting(setting.key, value)
                try tx.audit(context, action: "config.set", subject: setting.key,
                             before: Audit.json([setting.key: current.value(setting.key)]), after: Audit.json([setting.key: value]))
            }
            return try tx.config()
        }
    }
}
