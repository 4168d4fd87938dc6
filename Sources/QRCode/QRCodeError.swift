import Foundation

/// Reasons a QR code could not be produced, worded for operators rather than developers.
public enum QRCodeError: Error, LocalizedError, Equatable {
    case emptyText
    case textTooLong(byteCount: Int, limit: Int, correction: QRCode.Correction)
    case encoderFailed(String)
    case imageTooLarge(pixels: Int, limit: Int)
    case pngFailed(String)

    /// Human-readable description so CLI and web layers can show the error verbatim.
    public var errorDescription: String? {
        switch self {
        case .emptyText:
            "Cannot make a QR code from empty text."
        case let .textTooLong(byteCount, limit, correction):
            "Text is too long for a QR code: \(byteCount) bytes of UTF-8, but at \(correction.rawValue) "
                + "error correction a QR code holds at most \(limit) bytes. Shorten the text or use lower correction."
        case let .encoderFailed(reason):
            "The QR encoder (libqrencode) failed: \(reason)."
        case let .imageTooLarge(pixels, limit):
            "QR image would be \(pixels)x\(pixels) pixels, larger than the \(limit)-pixel limit; use a smaller scale."
        case let .pngFailed(reason):
            "Could not write the QR code as PNG (libpng): \(reason)."
        }
    }
}
