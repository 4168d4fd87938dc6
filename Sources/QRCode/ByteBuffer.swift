// Renderers write ASCII/UTF-8 straight into a byte array: building thousands of small
// Strings per symbol was the dominant cost when rendering invite batches.
extension Array where Element == UInt8 {
    mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func append(utf8 text: String) {
        append(contentsOf: text.utf8)
    }

    mutating func append(decimal value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            append(decimal: 0 - value)
            return
        }
        // Find the leading power of ten, then emit digits most-significant first
        // without any intermediate String.
        var divisor = 1
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
