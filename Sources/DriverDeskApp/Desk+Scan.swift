import DriverDeskCore
internal import DriverDeskStore

/// Where a scan leads: what the scanner field and the movements page do with what a scanner typed.
public enum ScanResult: Equatable, Sendable {
    /// An invite slip: its reference (the invite page says whether it exists).
    case invite(ref: String)
    /// One car: its plate.
    case vehicle(plate: String)
    /// Several cars of the shop match a plate that lost its Chinese characters: their plates, for a person to pick.
    case candidates(plates: [String], read: String)
    /// Nothing matches; `read` is the text as it arrived, for the page to show.
    case unknown(read: String)
}

extension Desk {
    /// Resolves a scan: an invite reference, a key tag's token, a whole plate (as before: its page says when it is not a
    /// customer car), or a plate that lost its Chinese characters when the shop has cars it may stand for.
    public func scan(_ text: String) throws -> ScanResult {
        try actor.check(.read)
        let reading = ScanReading(text)
        switch reading {
        case .invite(let ref):
            return .invite(ref: ref)
        case .plate(let plate):
            return .vehicle(plate: plate.text)
        case .keyTag(let plate):
            return try database.vehicle(ifKnown: plate) != nil ? .vehicle(plate: plate.text) : .unknown(read: text)
        case .partial(let letters, _):
            let plates = try database.vehicles(plateContaining: letters).map(\.plate).filter(reading.matches)
            switch plates.count {
            case 0: return .unknown(read: text)
            case 1: return .vehicle(plate: plates[0])
            default: return .candidates(plates: plates, read: text)
            }
        case .nothing:
            return .unknown(read: text)
        }
    }
}
