internal import DriverDeskStore

/// Whether the shop's database may have changed since a moment: what a server caches (the settings, the dashboard) is
/// kept while the version stays the same.
///
/// The version counts this process's committed writes and, on a database opened as a pool, any other connection's
/// commits to the same file (the server's own writer, every command-line process and cron job): SQLite's
/// `data_version` on a read-only connection of the watch's own. Reading it costs a couple of microseconds.
public struct ChangeWatch: Sendable {
    /// Two versions compare equal only when nothing was committed in between.
    public struct Version: Hashable, Sendable {
        let store: ChangeProbe.Version?
        let tick: Int
    }

    /// The file's probe; nil on a chain.
    let probe: ChangeProbe?
    /// On a chain: this process's writes and the change notices of the shop (`LISTEN`/`NOTIFY`); nil when the server
    /// could not listen, and then every version is new (nothing is cached).
    let counters: [ChangeCounter]?
    let ticks = ChangeCounter()

    init(_ changes: ShopChanges) {
        switch changes {
        case .probe(let probe):
            self.probe = probe
            counters = nil
        case .counters(let counters):
            probe = nil
            self.counters = counters
        }
    }

    /// The version now.
    public func version() -> Version {
        if let probe { return Version(store: probe.version(), tick: 0) }
        // Without notices, or while the database cannot be reached or its notices are not heard, every version is new.
        guard let counters, !counters.contains(where: \.isLost) else {
            ticks.bump()
            return Version(store: nil, tick: ticks.count)
        }
        return Version(store: nil, tick: counters.reduce(0) { $0 + $1.count } + ticks.count)
    }
}
