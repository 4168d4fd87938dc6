import DriverDeskCore
internal import DriverDeskStore
import Foundation
import QRCode

/// An invite as printed, sent and scanned: the slip, the card, the QR and the chat text (R3, R12).
public struct InviteDocument {
    /// A5 sheet or an 80 mm receipt printer.
    public enum Paper: String, CaseIterable, Sendable {
        case a5, receipt80 = "80mm"

        public init(parsing raw: String, field: String = "paper") throws {
            guard let value = Paper(rawValue: raw.trimmingSpaces().lowercased()) else {
                throw DeskError.invalid(field: field, reason: Message("input.oneOf", ["raw": .text(raw), "options": .names(Paper.allCases.map(\.rawValue))]))
            }
            self = value
        }
    }

    let row: RegistrationRow
    public let config: Config

    init(row: RegistrationRow, config: Config) {
        self.row = row
        self.config = config
    }

    /// The registration the slip is for (what `register print --json` prints and the invite page shows).
    public var registration: RegistrationView { RegistrationView(row, config: config) }
    /// The owner's phone, to send him the invite or the request to remove it.
    public var ownerPhone: String? { row.vehicle.ownerPhone }

    var time: ShopTime { config.time }
    var ref: String { row.registration.ref }
    var expiresOn: CivilDate {
        InviteRules.expiresOn(invitedAt: row.registration.invitedAt, expiryDays: config.int(.inviteExpiryDays), time: time)
    }

    /// What the QR holds: the shop's URL and the reference, or the reference and a bilingual summary, on one line. The
    /// reference comes first and is ASCII, so a USB scanner in keyboard mode types it whole; a line break would arrive
    /// as Enter and submit the form with what came before it.
    public var payload: String {
        let base = config.string(.inviteBaseURL)
        if !base.isEmpty { return base + ref }
        let plate = row.vehicle.plate, staff = row.staff.name, shop = config.shopName
        return "\(ref) \(shop)：请车主在交管12123为员工\(staff)备案非本人机动车 \(plate) / "
            + "\(shop): please register \(staff) as a non-owner driver of \(plate) in Traffic 12123"
    }

    /// The QR code of the payload; high enough correction to survive a creased slip.
    public func qrCode() throws -> QRCode {
        do {
            return try QRCode(text: payload, correction: .medium)
        } catch {
            throw DeskError.storage(message: "cannot make the QR code of \(ref): \(error.localizedDescription)")
        }
    }

    var methodNames: (zh: String, en: String) {
        switch row.registration.method {
        case .qr: ("扫码备案", "QR code")
        case .sms: ("短信验证备案", "SMS verification code")
        case .window: ("窗口办理", "at a traffic police window")
        }
    }

    /// The Mustache context of the slip and the texts.
    public func context(paper: Paper, qrSVG: String) -> [String: Any] {
        let vehicle = row.vehicle, staff = row.staff
        let plateType = PlateType.names(plate: vehicle.plate, size: vehicle.size)
        let showID = config.bool(.inviteShowIdNumber)
        // swift-mustache treats "" as true: leave empty values out so their sections vanish.
        func present(_ values: [String: String?]) -> [String: String] { values.compactMapValues { $0.flatMap { $0.isEmpty ? nil : $0 } } }
        return [
            "shop": present(["name": config.shopName, "phone": config.string(.shopPhone)]),
            "ref": ref,
            "issuedAt": String(time.format(row.registration.invitedAt).prefix(16)),
            "expiresOn": expiresOn.description,
            "paper": paper.rawValue, "isA5": paper == .a5, "is80mm": paper == .receipt80,
            "vehicle": present([
                "plate": vehicle.plate, "owner": vehicle.ownerName,
                "ownerPhoneMasked": vehicle.ownerPhone.map(InviteDocument.maskPhone),
                "plateTypeZh": plateType.zh, "plateTypeEn": plateType.en,
            ]),
            "staff": present(["name": staff.name, "phone": staff.phone, "idNumber": showID ? staff.idNumber : IDNumber.mask(staff.idNumber)]),
            "showIdNumber": showID,
            "method": row.registration.method.rawValue,
            "isQR": row.registration.method == .qr, "isSMS": row.registration.method == .sms, "isWindow": row.registration.method == .window,
            "methodZh": methodNames.zh, "methodEn": methodNames.en,
            "qrSVG": qrSVG,
            "payload": payload,
        ]
    }

    /// The printable slip: one self-contained HTML page. `served`: by the web front desk, whose pages run scripts from
    /// its own files only (a file written to disk carries its print button's script in itself).
    /// `english`: the owner reads English, and gets each line in English under the Chinese (12123's own words stay
    /// Chinese, as his app shows them); else the slip is Chinese only.
    public func html(paper: Paper, templates: Templates, served: Bool = false, english: Bool = false) throws -> String {
        let svg = try qrCode().svg(moduleSize: 4, quietZone: 4)
        var context = context(paper: paper, qrSVG: svg)
        context["served"] = served
        context["english"] = english
        return try templates.render("invite-slip", context)
    }

    /// The text that asks the owner to remove the registration in 12123, in his language (Chinese, or English with
    /// 12123's menu in Chinese as his app shows it).
    public func removalText(templates: Templates, english: Bool) throws -> String {
        try templates.render("reminder-removal", [
            "shop": config.shopName, "owner": row.vehicle.ownerName, "staff": row.staff.name, "plate": row.vehicle.plate, "ref": ref,
            "zhOnly": !english, "enOnly": english,
        ]).trimmingSpaces()
    }

    /// The text to paste into WeChat or an SMS with the picture.
    public func text(templates: Templates) throws -> String {
        try templates.render("invite-text", context(paper: .a5, qrSVG: ""))
    }

    /// A card for chat: the QR with the reference, the car and the staff member, as SVG.
    public func svgCard(templates: Templates) throws -> String {
        let code = try qrCode()
        let moduleSize = max(2, 400 / (code.size + 8))
        var context = context(paper: .a5, qrSVG: code.svg(moduleSize: moduleSize, quietZone: 4))
        context["qrOffset"] = (600 - (code.size + 8) * moduleSize) / 2
        return try templates.render("invite-card.svg", context)
    }

    /// The QR alone as a PNG, for chat or a label printer.
    public func png() throws -> Data {
        do {
            return Data(try qrCode().png(scale: 8, quietZone: 4))
        } catch {
            throw DeskError.storage(message: "cannot make the PNG of \(ref): \(error.localizedDescription)")
        }
    }

    /// `138****8000`: enough for the owner to recognise his number on the slip.
    static func maskPhone(_ phone: String) -> String {
        let digits = Array(phone)
        guard digits.count >= 7 else { return phone }
        return String(digits.prefix(3)) + String(repeating: "*", count: digits.count - 7) + String(digits.suffix(4))
    }
}
