import CZlib
import Foundation
import Synchronization

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
        let compressed = try Deflater.shared.compress(filtered)
        let compressedSize = compressed.count

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(Int(compressedSize) + 64)
        var header: [UInt8] = []
        header.append(bigEndian: UInt32(side))
        header.append(bigEndian: UInt32(side))
        header += [1, 0, 0, 0, 0]   // bit depth 1, grayscale, deflate, adaptive filters, no interlace
        chunk("IHDR", header, into: &png)
        chunk("IDAT", compressed, into: &png)
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

/// zlib streams kept for reuse: `compress2` allocates about 270 KB of state per call, above glibc's mmap threshold,
/// so every image paid for mapping, zeroing and unmapping it (half of a batch's time went to the kernel). A stream
/// is reset instead; one per concurrent caller.
final class Deflater: Sendable {
    static let shared = Deflater()

    private struct Streams: @unchecked Sendable { var free: [UnsafeMutablePointer<z_stream>] = [] }
    private let streams = Mutex(Streams())

    func compress(_ input: [UInt8]) throws -> [UInt8] {
        let stream = try take()
        defer { give(stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(input.count))))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = uInt(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = uInt(target.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw QRCodeError.pngFailed("zlib could not compress the image (\(status))") }
        output.removeSubrange(Int(stream.pointee.total_out)...)
        return output
    }

    private func take() throws -> UnsafeMutablePointer<z_stream> {
        if let stream = streams.withLock({ $0.free.popLast() }) {
            deflateReset(stream)
            return stream
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // Level 1, as `compress2(..., 1)` did: the same bytes out.
        let status = deflateInit_(stream, 1, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw QRCodeError.pngFailed("zlib could not start (\(status))")
        }
        return stream
    }

    private func give(_ stream: UnsafeMutablePointer<z_stream>) {
        let kept = streams.withLock { streams -> Bool in
            guard streams.free.count < 8 else { return false }
            streams.free.append(stream)
            return true
        }
        if !kept {
            deflateEnd(stream)
            stream.deallocate()
        }
    }
}
