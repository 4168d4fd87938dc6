import CQRencode

extension QRCode {
    /// Error-correction level: higher survives more damage but holds less text.
    public enum Correction: String, Sendable, CaseIterable {
        case low, medium, quartile, high

        var level: QRecLevel {
            switch self {
            case .low: QR_ECLEVEL_L
            case .medium: QR_ECLEVEL_M
            case .quartile: QR_ECLEVEL_Q
            case .high: QR_ECLEVEL_H
            }
        }

        /// Largest 8-bit payload (bytes) a version-40 symbol holds at this level, per ISO/IEC 18004.
        public var byteCapacity: Int {
            // Checked up front so callers get a precise error instead of a bare ERANGE.
            switch self {
            case .low: 2953
            case .medium: 2331
            case .quartile: 1663
            case .high: 1273
            }
        }
    }
}
