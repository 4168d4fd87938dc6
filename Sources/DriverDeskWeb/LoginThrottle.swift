import DriverDeskApp
import Foundation

/// Failed logins, per account name and per address, kept in the server's memory: after five within 15 minutes the
/// account (known or not: the answer must not tell) or the address is locked until the oldest leaves the window
/// (`LoginLockout`, the core's rule).
public actor LoginThrottle {
    private var failures: [String: [Date]] = [:]
    let rule: LoginLockout

    public init(rule: LoginLockout = .standard) {
        self.rule = rule
    }

    static func keys(name: String, address: String) -> [String] {
        ["account:" + name.trimmingSpaces().lowercased(), "address:" + address]
    }

    /// When the lock on any of `keys` lifts, if one is locked at `now`.
    public func lockedUntil(_ keys: [String], now: Date) -> Date? {
        keys.compactMap { key -> Date? in
            let counted = rule.counted(failures[key] ?? [], now: now)
            failures[key] = counted.isEmpty ? nil : counted
            return rule.lockedUntil(counted, now: now)
        }.max()
    }

    /// A failed login at `now`: it counts against every key.
    public func failed(_ keys: [String], at now: Date) {
        for key in keys { failures[key, default: []].append(now) }
        if failures.count > 50_000 { failures = failures.filter { !rule.counted($0.value, now: now).isEmpty } }
    }

    /// A login that worked: the account's own failures are forgotten (the address's stay).
    public func succeeded(name: String) {
        failures["account:" + name.trimmingSpaces().lowercased()] = nil
    }
}
