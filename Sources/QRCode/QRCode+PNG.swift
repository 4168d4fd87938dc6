import CZlib
import Foundation

extension QRCode {
    // Bounds memory use when a caller passes a silly scale.
    static let maxPNGSide = 32_768

    /// A 1-bit grayscale PNG, written directly with zlib.
    ///
    /// A QR code is two colours: one bit per pixel and the PNG "Up" filter (each scaled row repeats the one
    /// above, so it filters to zeros) make the image tiny and the encoding about 10× faster than 8-bit
    /// pixels through libpng, which is what lets a batch of a thousand invites render in a blink.
    public func png(scale: Int = 8, quietZone: Int = 4) throws -> [UInt8] {
        let scale = Swift.max(1, scale)
        let quietZone = Swift.max(0, quietZone)
        let (margins, overflowA) = quietZone.multipliedReportingOverflow(by: 2)
        let (modulesPerSide, overflowB) = size.addingReportingOverflow(margins)
        let (side, overflowC) = modulesPerSide.multipliedReportingOverflow(by: scale)
        let overflow = overflowA || overflowB || overflowC
        guard !overflow, side <= Self.maxPNGSide else {
            throw QRCodeError.imageTooLarge(pixels: overflow ? Int.max : side, limit: Self.maxPNGSide)
        }
        let raw = filteredRows(scale: scale, quietZone: quietZone, side: side)
        return try Self.encodePNG(filtered: raw, side: side)
    }

    /// PNG as a `data:` URI so self-contained HTML pages need no separate image files.
    public func dataURI(scale: Int = 8, quietZone: Int = 4) throws -> String {
        "data:image/png;base64," + Data(try png(scale: scale, quietZone: quietZone)).base64EncodedString()
    }

    /// The image data before compression: per row a filter byte and the packed bits (1 = light).
    /// The first row of each module row is stored as is (filter 0); the rows repeating it use "Up" (2), all zeros.
    private func filteredRows(scale: Int, quietZone: Int, side: Int) -> [UInt8] {
        let rowBytes = (side + 7) / 8
        let stride = rowBytes + 1
        var data = [UInt8](repeating: 0, count: stride * side)
        var row = [UInt8](repeating: 0xFF, count: rowBytes)
        // Padding bits past the image's width are left at 1 (light); decoders ignore them.
        data.withUnsafeMutableBufferPointer { out in
            func writeModuleRow(_ line: Int) {
                out[line * stride] = 0
                for i in 0..<rowBytes { out[line * stride + 1 + i] = row[i] }
                for extra in 1..<scale {
                    out[(line + extra) * stride] = 2   // Up: the same as the row above
                }
            }
            // Quiet zone rows at the top and bottom: all light.
            for i in 0..<rowBytes { row[i] = 0xFF }
            let quietLines = quietZone * scale
            var line = 0
            while line < quietLines {
                writeModuleRow(line)
                line += scale
            }
            for y in 0..<size {
                for i in 0..<rowBytes { row[i] = 0xFF }
                for x in 0..<size where modules[y * size + x] != 0 {
                    let start = (x + quietZone) * scale
                    for pixel in start..<(start + scale) { row[pixel >> 3] &= ~(0x80 >> UInt8(pixel & 7)) }
                }
                writeModuleRow((y + quietZone) * scale)
            }
            for i in 0..<rowBytes { row[i] = 0xFF }
            line = (size + quietZone) * scale
            while line < side {
                writeModuleRow(line)
                line += scale
            }
        }
        return data
    }

    private static func encodePNG(filtered: [UInt8], side: Int) throws -> [UInt8] {
        var compressedSize = compressBound(uLong(filtered.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = filtered.withUnsafeBufferPointer { source in
            compressed.withUnsafeMutableBufferPointer { target in
                compress2(target.baseAddress, &compressedSize, source.baseAddress, uLong(filtered.count), 1)
            }
        }
        guard status == Z_OK else { throw QRCodeError.pngFailed("zlib could not compress the image (\(status))") }

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(Int(compressedSize) + 64)
        var header: [UInt8] = []
        header.append(bigEndian: UInt32(side))
        header.append(bigEndian: UInt32(side))
        header += [1, 0, 0, 0, 0]   // bit depth 1, grayscale, deflate, adaptive filters, no interlace
        chunk("IHDR", header, into: &png)
        chunk("IDAT", Array(compressed[0..<Int(compressedSize)]), into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        png.append(bigEndian: UInt32(data.count))
        let typeBytes = Array(type.utf8)
        var crc = crc32(0, typeBytes, 4)
        if !data.isEmpty {
            crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        }
        png += typeBytes
        png += data
        png.append(bigEndian: UInt32(truncatingIfNeeded: crc))
    }
}

extension [UInt8] {
    mutating func append(bigEndian value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }
}
