import CPNG
import Foundation

extension QRCode {
    // Bounds memory use (~1 GB of pixels at the limit) when a caller passes a silly scale.
    static let maxPNGSide = 32_768

    /// 8-bit grayscale PNG bytes, written with libpng's setjmp-free simplified API.
    public func png(scale: Int = 8, quietZone: Int = 4) throws -> [UInt8] {
        let scale = Swift.max(1, scale)
        let quietZone = Swift.max(0, quietZone)
        // Checked arithmetic so an absurd scale or quiet zone throws instead of trapping.
        let (margins, overflowA) = quietZone.multipliedReportingOverflow(by: 2)
        let (modulesPerSide, overflowB) = size.addingReportingOverflow(margins)
        let (side, overflowC) = modulesPerSide.multipliedReportingOverflow(by: scale)
        let overflow = overflowA || overflowB || overflowC
        guard !overflow, side <= Self.maxPNGSide else {
            throw QRCodeError.imageTooLarge(pixels: overflow ? Int.max : side, limit: Self.maxPNGSide)
        }

        let pixels = grayscalePixels(scale: scale, quietZone: quietZone, side: side)
        return try Self.encodePNG(pixels: pixels, side: side)
    }

    /// PNG as a `data:` URI so self-contained HTML pages need no separate image files.
    public func dataURI(scale: Int = 8, quietZone: Int = 4) throws -> String {
        "data:image/png;base64," + Data(try png(scale: scale, quietZone: quietZone)).base64EncodedString()
    }

    // Builds each pixel row once per module row and copies it `scale` times,
    // which is much cheaper than deciding every pixel individually.
    private func grayscalePixels(scale: Int, quietZone: Int, side: Int) -> [UInt8] {
        let light: UInt8 = 0xFF
        var pixels = [UInt8](repeating: light, count: side * side)
        pixels.withUnsafeMutableBufferPointer { image in
            var rowPixels = [UInt8](repeating: light, count: side)
            for y in 0..<size {
                for x in 0..<side { rowPixels[x] = light }
                for x in 0..<size where modules[y * size + x] != 0 {
                    let start = (x + quietZone) * scale
                    for offset in start..<(start + scale) { rowPixels[offset] = 0 }
                }
                let firstLine = (y + quietZone) * scale
                rowPixels.withUnsafeBufferPointer { source in
                    for line in firstLine..<(firstLine + scale) {
                        let destination = UnsafeMutableBufferPointer(rebasing: image[(line * side)..<(line * side + side)])
                        _ = destination.update(fromContentsOf: source)
                    }
                }
            }
        }
        return pixels
    }

    private static func encodePNG(pixels: [UInt8], side: Int) throws -> [UInt8] {
        // A fresh, zeroed descriptor per call, as libpng requires (opaque must be NULL).
        func descriptor() -> png_image {
            var image = png_image()
            image.version = 1          // PNG_IMAGE_VERSION; literal because macros may not import.
            image.format = 0           // PNG_FORMAT_GRAY: one 8-bit channel.
            // PNG_IMAGE_FLAG_FAST (no row filters, zlib level 3): ~3.5x faster for QR images at
            // the cost of ~2x bytes (about 4 KB vs 2 KB at scale 8), a good trade for batch invites.
            image.flags = 0x02
            image.width = UInt32(side)
            image.height = UInt32(side)
            return image
        }

        return try pixels.withUnsafeBufferPointer { source in
            // First pass with a nil buffer only measures, so the output is allocated exactly once.
            var image = descriptor()
            var byteCount: png_alloc_size_t = 0
            guard png_image_write_to_memory(&image, nil, &byteCount, 0, source.baseAddress, 0, nil) != 0,
                  byteCount > 0 else {
                throw QRCodeError.pngFailed(message(of: &image, fallback: "could not size the PNG"))
            }

            var output = [UInt8](repeating: 0, count: Int(byteCount))
            image = descriptor()
            var written = byteCount
            let ok = output.withUnsafeMutableBytes { buffer in
                png_image_write_to_memory(&image, buffer.baseAddress, &written, 0, source.baseAddress, 0, nil)
            }
            guard ok != 0 else {
                throw QRCodeError.pngFailed(message(of: &image, fallback: "could not write the PNG"))
            }
            output.removeLast(output.count - Int(written))
            return output
        }
    }

    // libpng reports errors in a fixed char[64] inside the struct rather than via errno.
    private static func message(of image: inout png_image, fallback: String) -> String {
        defer { png_image_free(&image) }
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return text.isEmpty ? fallback : text
    }
}
