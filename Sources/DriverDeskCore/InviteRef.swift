/// The short reference an invite carries, e.g. `INV-7K3Q-9XZP`: easy to read aloud, hard to guess.
///
/// Eight characters of Crockford's base 32 (no I, L, O, U) are 40 random bits.
public enum InviteRef {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new reference from a random number generator (the system's, in real use).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var bits = generator.next() & ((1 << 40) - 1)
        var chars: [Character] = []
        for _ in 0..<8 {
            chars.append(alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return "INV-" + String(chars[0..<4]) + "-" + String(chars[4..<8])
    }

    /// The reference inside any text a scanner or a person typed: a slip's whole QR payload, a URL,
    /// `inv 7k3q 9xzp`, or the eight characters alone. Reads O as 0 and I or L as 1, as Crockford does.
    public static func find(in text: String) -> String? {
        let upper = Array(text.uppercased().unicodeScalars)
        func symbol(_ scalar: Unicode.Scalar) -> Character? {
            switch scalar {
            case "O": return "0"
            case "I", "L": return "1"
            default:
                let char = Character(scalar)
                return alphabet.contains(char) ? char : nil
            }
        }
        func isSeparator(_ scalar: Unicode.Scalar) -> Bool { scalar == "-" || scalar == " " || scalar == "_" }
        func read(_ upper: [Unicode.Scalar], from start: Int) -> String? {
            var chars: [Character] = []
            var index = start
            while index < upper.count, chars.count < 8 {
                if isSeparator(upper[index]), chars.count == 0 || chars.count == 4 {
                    index += 1
                    continue
                }
                guard let char = symbol(upper[index]) else { return nil }
                chars.append(char)
                index += 1
            }
            guard chars.count == 8 else { return nil }
            if index < upper.count, symbol(upper[index]) != nil { return nil }
            return "INV-" + String(chars[0..<4]) + "-" + String(chars[4..<8])
        }
        var index = 0
        while index + 3 <= upper.count {
            if upper[index] == "I", upper[index + 1] == "N", upper[index + 2] == "V", let ref = read(upper, from: index + 3) {
                return ref
            }
            index += 1
        }
        // Eight characters alone, as a person reads them off a slip.
        let bare = Array(text.trimmingSpaces().uppercased().unicodeScalars)
        guard bare.count <= 9, let ref = read(bare, from: 0) else { return nil }
        return ref
    }
}
