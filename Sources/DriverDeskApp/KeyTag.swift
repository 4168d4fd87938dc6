import DriverDeskCore
import Foundation
import QRCode

/// A key tag: the car's token and plate as a QR, so scanning the key starts or ends that car's movement.
public struct KeyTag {
    public let plate: String
    public let owner: String
    public let shop: String
    /// The shop's web address for phones (`web.publicURL`), or "" when none is set.
    public let publicURL: String

    public init(plate: String, owner: String, shop: String, publicURL: String = "") {
        self.plate = plate
        self.owner = owner
        self.shop = shop
        self.publicURL = publicURL
    }

    /// The car's ASCII token (`BJ-A12345`), printed under the code as well.
    public var token: String { (try? Plate(plate)).map(KeyTagToken.token(of:)) ?? plate }

    /// With `web.publicURL`, the car's link (`https://desk.example/k/BJ-A12345`, ASCII only): a driver's phone opens it,
    /// and the desk's USB scanner in keyboard mode types it whole (the scan field finds the token inside). Without, the
    /// token first, then the plate on the same line: a scanner types the token (and drops the Chinese characters of the
    /// plate), a phone shows the plate; no line break, whose Enter would submit the form early.
    public var payload: String {
        guard !publicURL.isEmpty, let plate = try? Plate(plate) else { return "\(token) \(self.plate)" }
        return KeyTagToken.link(base: publicURL, plate: plate)
    }

    func code() throws -> QRCode {
        do { return try QRCode(text: payload, correction: .quartile) } catch {
            throw DeskError.storage(message: "cannot make the QR code of \(plate): \(error.localizedDescription)")
        }
    }

    /// The printable tag; `served` as `InviteDocument.html` takes it.
    public func html(paper: InviteDocument.Paper, templates: Templates, served: Bool = false) throws -> String {
        try templates.render("key-tag", ["plate": plate, "token": token, "owner": owner, "shop": shop, "qrSVG": try code().svg(moduleSize: 6, quietZone: 4),
                                         "isA5": paper == .a5, "is80mm": paper == .receipt80, "served": served])
    }

    public func svg() throws -> String { try code().svg(moduleSize: 10, quietZone: 4) }

    public func png() throws -> Data {
        do { return Data(try code().png(scale: 10, quietZone: 4)) } catch {
            throw DeskError.storage(message: "cannot make the PNG of \(plate): \(error.localizedDescription)")
        }
    }
}

extension Desk {
    func keyTag(plate: String) throws -> KeyTag {
        let detail = try database.vehicle(try Plate(plate))
        let config = try config()
        return KeyTag(plate: detail.plate, owner: detail.ownerName, shop: config.shopName, publicURL: config.string(.webPublicURL))
    }

    /// The printable key tag page, as the web front desk serves it.
    public func keyTagHTML(plate: String, paper: InviteDocument.Paper) throws -> String {
        try actor.check(.frontDesk)
        return try keyTag(plate: plate).html(paper: paper, templates: try Templates.shipped(), served: true)
    }

    /// `vehicle tag --plate P --out FILE.svg|.png|.html`.
    public func writeKeyTag(plate: String, to path: String, paper: InviteDocument.Paper) throws -> VehicleView {
        try actor.check(.frontDesk)
        let format = try InviteFormat(path: path)
        let tag = try keyTag(plate: plate)
        let data: Data
        switch format {
        case .html: data = Data(try tag.html(paper: paper, templates: try Templates.shipped()).utf8)
        case .svg: data = Data(try tag.svg().utf8)
        case .png: data = try tag.png()
        }
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DeskError.storage(message: "cannot write \(path): \(error.localizedDescription)")
        }
        return VehicleView(try database.vehicle(try Plate(plate)), inShop: false, time: try config().time)
    }
}
