import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// A registration as the command line and the web show it.
public struct RegistrationView: Codable, Equatable, Sendable {
    public var id: Int64
    public var ref: String
    public var plate: String
    public var owner: String
    public var staff: StaffRef
    public var method: String
    public var status: String
    public var invitedAt: String
    public var expiresOn: String?
    public var activatedAt: String?
    public var removalDueAt: String?
    public var removedAt: String?
    public var expiredAt: String?
    public var cancelledAt: String?

    init(_ row: RegistrationRow, config: Config) {
        let r = row.registration, time = config.time
        id = r.id ?? 0
        ref = r.ref
        plate = row.vehicle.plate
        owner = row.vehicle.ownerName
        staff = row.staff.ref
        method = r.method.rawValue
        status = r.status.rawValue
        invitedAt = time.formatISO(r.invitedAt)
        expiresOn = r.status == .invited ? InviteRules.expiresOn(invitedAt: r.invitedAt, expiryDays: config.int(.inviteExpiryDays), time: time).description : nil
        activatedAt = r.activatedAt.map(time.formatISO)
        removalDueAt = r.removalDueAt.map(time.formatISO)
        removedAt = r.removedAt.map(time.formatISO)
        expiredAt = r.expiredAt.map(time.formatISO)
        cancelledAt = r.cancelledAt.map(time.formatISO)
    }
}

/// `register invite`: the registration, what the QR holds, the chat text, and anything to wait for.
public struct InviteView: Encodable, Sendable {
    public var registration: RegistrationView
    public var payload: String
    public var text: String
    public var warnings: [String]
    public var out: String?

    enum Keys: String, CodingKey { case payload, text, warnings, out }

    /// The registration object with the invite's keys added, so `ref` and `id` sit at the top.
    public func encode(to encoder: any Encoder) throws {
        try registration.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(payload, forKey: .payload)
        try container.encode(text, forKey: .text)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(out, forKey: .out)
    }
}
