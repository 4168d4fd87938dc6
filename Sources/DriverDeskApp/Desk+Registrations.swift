import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// What an invite can be written as: the slip, a card for chat, the QR alone.
public enum InviteFormat: String, Sendable {
    case html, svg, png

    /// The format a file name asks for by its extension; the folder it goes in must exist and be writable, checked
    /// before anything is recorded (an invite whose slip cannot be written is not made).
    public init(path: String) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = InviteFormat(rawValue: ext == "htm" ? "html" : ext) else {
            throw DeskError.invalid(field: "out", reason: Message("input.out.extension", ["path": .text(path)]))
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DeskError.invalid(field: "out", reason: Message("input.out.noFolder", ["folder": .text(folder)]))
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw DeskError.invalid(field: "out", reason: Message("input.out.readOnly", ["folder": .text(folder)]))
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DeskError.invalid(field: "out", reason: Message("input.out.isFolder", ["path": .text(path)]))
        }
        self = format
    }
}

extension Desk {
    /// `register invite`: checks R3, records the invite, and returns what to print or send.
    public func invite(plate: String, staff: String, method: String?) throws -> (view: InviteView, document: InviteDocument) {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            let method = try method.map { try RegistrationMethod(parsing: $0) }
            return try invite(plate: try Plate(plate), staff: staff, method: method, in: tx, config: config)
        }
    }

    /// `register invite`'s use case in the caller's transaction (also the invite made from a check-in's plan): R3
    /// checked, the invite recorded with a fresh reference, and what to print or send.
    func invite(plate: Plate, staff: String, method: RegistrationMethod?, in tx: any ShopTransaction, config: Config) throws -> (view: InviteView, document: InviteDocument) {
        let outcome = try tx.invite(plate: plate, staff: staff, method: method, context: context, makeRef: {
            var generator = SystemRandomNumberGenerator()
            return InviteRef.random(using: &generator)
        }, config: config)
        let document = InviteDocument(row: outcome.row, config: config)
        let view = InviteView(registration: RegistrationView(outcome.row, config: config), payload: document.payload,
                              text: try document.text(templates: try Templates.shipped()), warnings: try catalogue(config).render(outcome.warnings, time: config.time), out: nil)
        return (view, document)
    }

    /// The invite of a reference, to print again.
    public func inviteDocument(ref: String) throws -> InviteDocument {
        try actor.check(.frontDesk)
        return InviteDocument(row: try database.registration(ref: ref), config: try config())
    }

    /// Writes an invite to a file: `.html` slip, `.svg` card or `.png` QR.
    public func write(_ document: InviteDocument, to path: String, paper: InviteDocument.Paper, english: Bool = false) throws {
        try actor.check(.frontDesk)
        let format = try InviteFormat(path: path)
        let data: Data
        switch format {
        case .html: data = Data(try document.html(paper: paper, templates: try Templates.shipped(), english: english).utf8)
        case .svg: data = Data(try document.svgCard(templates: try Templates.shipped()).utf8)
        case .png: data = try document.png()
        }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DeskError.storage(message: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// `register confirm`: the owner has registered the staff member in 12123.
    public func confirmRegistration(ref: String, at: String?) throws -> RegistrationView {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            let row = try tx.confirmRegistration(ref: ref, at: try instant(at, field: "at", config: config), context: context, config: config)
            return RegistrationView(row, config: config)
        }
    }

    /// `register remove`: removed in 12123 (or an invite withdrawn).
    public func removeRegistration(ref: String, at: String?) throws -> RegistrationView {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            let row = try tx.removeRegistration(ref: ref, at: try instant(at, field: "at", config: config), context: context)
            return RegistrationView(row, config: config)
        }
    }

    /// `register list [--status S]`.
    public func registrationList(status: String?) throws -> [RegistrationView] {
        try actor.check(.read)
        let config = try config()
        let status = try status.map { try RegistrationStatus(parsing: $0) }
        return try database.registrations(status: status).map { RegistrationView($0, config: config) }
    }

    /// `vehicle update`: corrects the owner's details, the engine number, usage or size.
    public func updateVehicle(plate: String, owner: String?, ownerPhone: String?, engineLast6: String?, usage: String?, size: String?) throws -> VehicleView {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            var change = VehicleChange()
            change.ownerName = try owner.map { try Fields.name($0, field: "owner", maxLength: 80) }
            change.ownerPhone = try ownerPhone.map { try Fields.phone($0, field: "owner-phone") }
            change.engineLast6 = try engineLast6.map { try Fields.engineLast6($0) }
            change.usage = try usage.map { try VehicleUsage(parsing: $0) }
            change.size = try size.map { try VehicleSize(parsing: $0) }
            guard change.hasChanges else {
                throw DeskError.invalid(field: "vehicle update", reason: Message("input.vehicle.nothingToChange"))
            }
            let vehicle = try tx.updateVehicle(try Plate(plate), change: change, context: context)
            return VehicleView(vehicle, inShop: false, time: config.time)
        }
    }
}
