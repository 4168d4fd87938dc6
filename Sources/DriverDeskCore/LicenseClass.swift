/// A driver's licence class (准驾车型), R10.
public enum LicenseClass: String, CaseIterable, Codable, Sendable {
    case A1, A2, A3, B1, B2, C1, C2, C3, C4, C5, C6, D, E, F, M, N, P

    /// Parses a class in any case; throws `.invalid` naming `field` and listing the classes.
    public init(parsing raw: String, field: String = "license-class") throws {
        guard let value = LicenseClass(rawValue: raw.trimmingSpaces().uppercased()) else {
            throw DeskError.invalid(field: field, reason: Message("input.licenseClass", ["raw": .text(raw), "options": .names(LicenseClass.allCases.map(\.rawValue))]))
        }
        self = value
    }
}
