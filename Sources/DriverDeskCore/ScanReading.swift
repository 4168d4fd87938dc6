/// What a scan (or a person) typed into the scanner field or the movements page, read without the database.
///
/// A USB scanner in keyboard mode types ASCII only: 京 is dropped, so an old key tag of 京HDG3897 arrives as `HDG3897`; a
/// phone or decoder that guessed the wrong character set hands over `鈭斫DG3897`, garbage that swallowed the H.
public enum ScanReading: Equatable, Sendable {
    /// An invite reference anywhere in the text (a slip's payload, its URL, the ref typed by hand).
    case invite(ref: String)
    /// A key tag's token (`BJ-A12345`, first on an old tag's payload, last in a tag's link `…/k/BJ-A12345`).
    case keyTag(Plate)
    /// A whole plate (an old key tag read by a scanner that types Unicode, or a plate typed by hand).
    case plate(Plate)
    /// The ASCII letters and digits of a plate whose other characters were lost: cars match by `matches(_:)`.
    case partial(letters: String, garbled: Bool)
    /// Nothing a car or an invite can be found by.
    case nothing

    /// The fewest letters and digits a partial plate needs: an old tag of 京A1234挂 types `A1234`.
    public static let partialMinimum = 5

    public init(_ text: String) {
        // A key tag's link first: the shop's address before the token may hold letters an invite reference is made of.
        if let plate = KeyTagToken.plate(inLink: text) {
            self = .keyTag(plate)
            return
        }
        if let ref = InviteRef.find(in: text) {
            self = .invite(ref: ref)
            return
        }
        // The token comes first on a key tag; the plate may follow it on the same line.
        let words = text.split(whereSeparator: { $0.isWhitespace })
        if let first = words.first, let plate = KeyTagToken.plate(of: String(first)) {
            self = .keyTag(plate)
            return
        }
        if let plate = try? Plate(text) {
            self = .plate(plate)
            return
        }
        let normal = Plate.normalise(text)
        let letters = String(normal.filter { $0.isASCIILetter || $0.isASCIIDigit })
        // Only letters, digits and garbage: any other ASCII (a word, a sentence) is not a plate that lost characters.
        let garbage = normal.filter { $0.asciiValue == nil }
        guard letters.count >= ScanReading.partialMinimum, letters.count <= 7,
              normal.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0.asciiValue == nil }) else {
            self = .nothing
            return
        }
        self = .partial(letters: letters, garbled: !garbage.isEmpty && !garbage.allSatisfy { Plate.provinces.contains($0) || Plate.suffixes.contains($0) })
    }

    /// Whether a car's plate is one this partial reading may stand for: its ASCII letters and digits are the ones read,
    /// or, after garbage, the ones read with one more in front (a wrong character set swallows the byte after 京).
    public func matches(_ plate: String) -> Bool {
        guard case .partial(let letters, let garbled) = self else { return false }
        let skeleton = String(plate.filter { $0.asciiValue != nil })
        if skeleton == letters { return true }
        return garbled && skeleton.count == letters.count + 1 && skeleton.hasSuffix(letters)
    }
}
