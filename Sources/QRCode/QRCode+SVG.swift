extension QRCode {
    /// Compact SVG (one path of merged horizontal runs) usable standalone or inline in HTML.
    public func svg(moduleSize: Int = 8, quietZone: Int = 4, darkColor: String = "#000", lightColor: String = "#fff") -> String {
        // Clamp instead of throwing so template code never has to handle a rendering failure.
        let moduleSize = Swift.max(1, moduleSize)
        let quietZone = Swift.max(0, quietZone)
        let side = size + 2 * quietZone

        var out: [UInt8] = []
        // Each run costs at most ~24 bytes; over-reserving beats repeated reallocation.
        out.reserveCapacity(256 + size * size * 12)

        out.append(ascii: "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"")
        out.append(decimal: side * moduleSize)
        out.append(ascii: "\" height=\"")
        out.append(decimal: side * moduleSize)
        out.append(ascii: "\" viewBox=\"0 0 ")
        out.append(decimal: side)
        out.append(ascii: " ")
        out.append(decimal: side)
        // crispEdges stops browsers anti-aliasing seams between adjacent runs.
        out.append(ascii: "\" shape-rendering=\"crispEdges\"><rect x=\"0\" y=\"0\" width=\"")
        out.append(decimal: side)
        out.append(ascii: "\" height=\"")
        out.append(decimal: side)
        out.append(ascii: "\" fill=\"")
        out.append(utf8: Self.escapeAttribute(lightColor))
        // Explicit stroke="none": ImageMagick's built-in SVG renderer otherwise strokes
        // shapes, which rounds module corners and frames the image.
        out.append(ascii: "\" stroke=\"none\"/><path fill=\"")
        out.append(utf8: Self.escapeAttribute(darkColor))
        out.append(ascii: "\" stroke=\"none\" d=\"")

        modules.withUnsafeBufferPointer { cells in
            for y in 0..<size {
                let row = y * size
                var x = 0
                while x < size {
                    guard cells[row + x] != 0 else { x += 1; continue }
                    let start = x
                    while x < size, cells[row + x] != 0 { x += 1 }
                    let run = x - start
                    // One closed rectangle per run: far fewer bytes than a rect per module.
                    out.append(ascii: "M")
                    out.append(decimal: start + quietZone)
                    out.append(ascii: " ")
                    out.append(decimal: y + quietZone)
                    out.append(ascii: "h")
                    out.append(decimal: run)
                    out.append(ascii: "v1h-")
                    out.append(decimal: run)
                    out.append(ascii: "z")
                }
            }
        }

        out.append(ascii: "\"/></svg>")
        return String(decoding: out, as: UTF8.self)
    }

    // Colours are caller-supplied; escaping keeps a stray quote from breaking the markup.
    static func escapeAttribute(_ value: String) -> String {
        guard value.contains(where: { "&<>\"'".contains($0) }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
