internal import CCrypt
import DriverDeskCore
import Foundation
import Synchronization

/// An account's password, kept only as a salted, slow hash (yescrypt through libcrypt), never in clear. The rules of
/// what a password may be are the core's (`AccountRules.checkPassword`).
public enum PasswordHash {
    /// A new hash with a random salt; the cost makes each guess take tens of milliseconds.
    public static func make(_ password: String) throws -> String {
        var salt = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$y$", 0, nil, 0, &salt, Int32(salt.count)) != nil else {
            throw DeskError.storage(message: "cannot make a password salt (libcrypt)")
        }
        guard let hash = crypt(password, salt: salt), hash.hasPrefix("$y$") else {
            throw DeskError.storage(message: "cannot hash the password (libcrypt)")
        }
        return hash
    }

    /// Counts the passwords checked against a hash in a task (tests: an unknown name costs one, as a wrong password
    /// does).
    final class Tally: Sendable {
        private let checks = Atomic<Int>(0)
        var count: Int { checks.load(ordering: .relaxed) }
        func add() { checks.add(1, ordering: .relaxed) }
    }

    @TaskLocal static var tally: Tally?

    /// Whether `password` matches `hash`, compared in constant time.
    public static func verify(_ password: String, hash: String) -> Bool {
        tally?.add()
        guard !hash.isEmpty, let computed = crypt(password, salt: Array(hash.utf8CString)) else { return false }
        let a = Array(computed.utf8), b = Array(hash.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func crypt(_ password: String, salt: [CChar]) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(password, salt, data) else { return nil }
        let text = String(cString: result)
        return text.hasPrefix("*") ? nil : text
    }
}
