extension QRCode {
    /// Half-block text (two module rows per line) that a phone can scan straight off a terminal.
    public func terminal(quietZone: Int = 2, invert: Bool = false) -> String {
        // Default draws dark modules as ink, for dark-on-light terminals; `invert` draws the
        // light modules instead, because on light-on-dark terminals the glyphs are the bright part.
        let quietZone = Swift.max(0, quietZone)
        let side = size + 2 * quietZone
        let lineCount = (side + 1) / 2

        var out: [UInt8] = []
        out.reserveCapacity(lineCount * (side * 3 + 1))

        for line in 0..<lineCount {
            if line > 0 { out.append(UInt8(ascii: "\n")) }
            let top = line * 2 - quietZone
            let bottom = top + 1
            for column in 0..<side {
                let x = column - quietZone
                // Rows past the bottom edge read as light, i.e. more quiet zone.
                let upper = isDark(x: x, y: top) != invert
                let lower = (bottom < size + quietZone) ? (isDark(x: x, y: bottom) != invert) : invert
                switch (upper, lower) {
                case (true, true): out.append(contentsOf: [0xE2, 0x96, 0x88])   // █
                case (true, false): out.append(contentsOf: [0xE2, 0x96, 0x80])  // ▀
                case (false, true): out.append(contentsOf: [0xE2, 0x96, 0x84])  // ▄
                case (false, false): out.append(UInt8(ascii: " "))
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
