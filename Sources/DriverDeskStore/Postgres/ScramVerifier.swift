import Crypto
import Foundation

/// A password as PostgreSQL keeps it for `scram-sha-256` logins (RFC 5802, RFC 7677), made on this machine as psql's
/// `\password` makes it: the server, its log and the functions that set it see the verifier, never the password.
public enum ScramVerifier {
    /// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, each part base64. The password is taken as its UTF-8
    /// bytes (SASLprep leaves printable ASCII as it is, which is what a database password is here).
    public static func make(password: String, salt: [UInt8] = randomSalt(), iterations: Int = 4096) -> String {
        let salted = pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = hmac(salted, Array("Client Key".utf8))
        let storedKey = Array(SHA256.hash(data: clientKey))
        let serverKey = hmac(salted, Array("Server Key".utf8))
        func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        return "SCRAM-SHA-256$\(iterations):\(b64(salt))$\(b64(storedKey)):\(b64(serverKey))"
    }

    /// 16 bytes from the system's generator, as PostgreSQL's own salt.
    public static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// PBKDF2-HMAC-SHA256's first (and, for 32 bytes, only) block: SCRAM's `Hi()`.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = u
        for _ in 1..<max(1, iterations) {
            u = Array(HMAC<SHA256>.authenticationCode(for: u, using: key))
            for index in result.indices { result[index] ^= u[index] }
        }
        return result
    }
}
