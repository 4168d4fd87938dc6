import DriverDeskApp
import Foundation
import Hummingbird
import NIOCore

/// What the shop's front desk and the chain's page share of logging in and staying logged in.
enum Login {
    /// The outcome of a login form.
    enum Outcome {
        /// The person's new session (a new id and CSRF token: a session fixed before the login is worth nothing).
        case signedIn(Session)
        /// Refused: the name or the password is wrong (which one is never said).
        case wrong
        /// Refused: too many failures for the name or the address, until then.
        case locked(until: Date)
    }

    /// Tries a login at `now`: refused while the name or the address is locked, counted when it fails, a new session
    /// when it works. `check` is the store's (`Shop.logIn`, `Chain.logIn`), which audits every attempt.
    static func attempt(name: String, password: String, address: String, now: Date, session: Session, sessions: Sessions,
                        throttle: LoginThrottle, check: (String, String) throws -> SignedIn?) async throws -> Outcome {
        let keys = LoginThrottle.keys(name: name, address: address)
        if let until = await throttle.lockedUntil(keys, now: now) { return .locked(until: until) }
        guard let person = try check(name, password) else {
            await throttle.failed(keys, at: now)
            if let until = await throttle.lockedUntil(keys, now: now) { return .locked(until: until) }
            return .wrong
        }
        await throttle.succeeded(name: name)
        var renewed = await sessions.renew(session)
        renewed.person = person
        renewed.loggedInAt = now
        renewed.lastSeen = now
        await sessions.update(renewed)
        return .signedIn(renewed)
    }

    /// "Too many failed logins: try again after 14:35", the time rounded up to the minute.
    static func lockedMessage(until: Date, language: String, pages: Pages, time: ShopTime) -> String {
        pages.text("login.locked", language, ["until": WebApp.shortTime(time.formatISO(Date(timeIntervalSince1970: (until.timeIntervalSince1970 / 60).rounded(.up) * 60)))])
    }

    /// Where a request goes whose session is over, or nil when it may go on: once accounts exist, a person must be
    /// logged in, within his shift and idle limit (30 minutes unless the browser runs on this PC), his account active
    /// at the epoch he logged in with. A session that is over is ended.
    static func ending(_ session: Session?, states: [Int64: AccountDirectory.State], shiftHours: Int, remote: SocketAddress?,
                       now: Date, sessions: Sessions) async -> String? {
        guard let session, let person = session.person else { return "/login" }
        let loopback = remote.map { WebApp.isLoopback($0.ipAddress ?? "") } ?? false
        let state = states[person.accountId]
        if let ending = SessionRules(shiftHours: shiftHours, loopback: loopback, role: person.role).ending(
            loggedIn: session.loggedInAt ?? now, lastSeen: session.lastSeen ?? now, now: now,
            account: state.map { ($0.active, $0.epoch) }, loggedInEpoch: person.epoch) {
            await sessions.remove(session.id)
            return "/login?ended=\(ending.rawValue)"
        }
        await sessions.touch(session.id, at: now)
        return nil
    }
}
