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

/// What a scan on the movements page did.
public enum ToggleResult: Sendable {
    case started(MovementView)
    case ended(MovementView)
    /// The scan matched no single car: nothing was written.
    case candidates(plates: [String], read: String)
    case unknown(read: String)
}

extension Desk {
    /// A scan (or a button) on the movements page: ends the car's movement when it is being driven (or when asked to),
    /// else starts one for the driver chosen (R1, R13); reads only that car. A scan that finds no single car writes
    /// nothing and says what it read.
    public func toggleMovement(scan raw: String, action: ScanAction, staff: String?, purpose: String?, at: String?) throws -> ToggleResult {
        try actor.check(.frontDesk)
        let plate: Plate
        switch try scan(raw) {
        case .vehicle(let text): plate = try Plate(text)
        case .candidates(let plates, let read): return .candidates(plates: plates, read: read)
        case .invite: return .unknown(read: raw)
        case .unknown(let read) where !read.trimmingSpaces().isEmpty: return .unknown(read: read)
        case .unknown: plate = try Plate(raw)  // nothing typed: the plate field is named
        }
        let driven = action == .toggle ? try database.isBeingDriven(plate: plate) : false
        guard let driver = try CustodyRules.scan(action, beingDriven: driven, chosen: staff) else {
            return .ended(try endMovement(plate: plate.text, at: at))
        }
        return .started(try startMovement(plate: plate.text, staff: driver, purpose: purpose, at: at))
    }
}
