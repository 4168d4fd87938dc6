import Foundation

/// R13, who may drive: a movement needs a driver whose licence is valid on its day and whose class covers the car
/// (准驾车型, 公安部令第162号 附件6; 道交法 Art. 19 and 99).
public enum DrivingRules {
    /// The classes that include a small car (小型汽车, C1): C1 itself and every class whose 准驾车型 lists C1.
    public static let smallCarClasses: Set<LicenseClass> = [.A1, .A2, .A3, .B1, .B2, .C1]
    /// Classes that drive small cars with an automatic gearbox only: a warning, since DriverDesk does not know the gearbox.
    public static let automaticOnlyClasses: Set<LicenseClass> = [.C2]
    /// The classes that drive a large vehicle of some type (大型客车 A1, 牵引车 A2, 城市公交车 A3, 中型客车 B1, 大型货车 B2).
    /// Which of them a car needs depends on its type, which DriverDesk does not record: any of them is accepted.
    public static let largeVehicleClasses: Set<LicenseClass> = [.A1, .A2, .A3, .B1, .B2]

    /// Whether the class covers the car: `.covers`, `.automaticOnly` (a warning) or `.no`.
    public enum Cover: Sendable, Equatable { case covers, automaticOnly, no }

    public static func cover(_ licence: LicenseClass, size: VehicleSize) -> Cover {
        switch size {
        case .small:
            if smallCarClasses.contains(licence) { return .covers }
            return automaticOnlyClasses.contains(licence) ? .automaticOnly : .no
        case .large:
            return largeVehicleClasses.contains(licence) ? .covers : .no
        }
    }

    /// Decides R13 for a movement on `day`: throws a refusal listing every failure when the purpose is one that is
    /// checked (`rules.licenceCheckPurposes`); otherwise the failures come back as warnings. An automatic-only class
    /// is always a warning.
    public static func check(driver: Staff, plate: String, size: VehicleSize, purpose: MovementPurpose, day: CivilDate,
                             checkedPurposes: Set<MovementPurpose>) throws -> [Message] {
        var failures: [Message] = []
        var warnings: [Message] = []
        if !driver.licenseValid(on: day) {
            failures.append(Message("driving.licenceExpired", ["staff": .text(driver.name), "until": .day(driver.licenseValidUntil), "day": .day(day)]))
        }
        switch cover(driver.licenseClass, size: size) {
        case .covers: break
        case .automaticOnly:
            warnings.append(Message("driving.automaticOnly", ["staff": .text(driver.name), "class": .text(driver.licenseClass.rawValue), "plate": .text(plate)]))
        case .no:
            failures.append(Message("driving.classDoesNotCover", ["staff": .text(driver.name), "class": .text(driver.licenseClass.rawValue), "plate": .text(plate),
                                                                  "size": .term("size", size.rawValue), "needs": .names(neededClasses(size))]))
        }
        guard !failures.isEmpty else { return warnings }
        if checkedPurposes.contains(purpose) { throw DeskError.refusedWith(rule: "R13", reasons: failures) }
        // Parking inside the premises (a purpose not checked): the same facts, as warnings.
        return failures + [Message("driving.onlyWarned", ["purpose": .term("purpose", purpose.rawValue)])] + warnings
    }

    /// Why a staff member may not drive on `day` whatever the car (an expired licence), or nil: for the staff list.
    public static func mayNotDrive(_ driver: Staff, on day: CivilDate) -> Message? {
        driver.licenseValid(on: day) ? nil : Message("driving.licenceExpired", ["staff": .text(driver.name), "until": .day(driver.licenseValidUntil), "day": .day(day)])
    }

    static func neededClasses(_ size: VehicleSize) -> [String] {
        let set = size == .small ? smallCarClasses : largeVehicleClasses
        return LicenseClass.allCases.filter(set.contains).map(\.rawValue)
    }

    /// `rules.licenceCheckPurposes`: the purposes R13 refuses on (a comma-separated list of purposes).
    public static func checkedPurposes(_ config: Config) -> Set<MovementPurpose> {
        Set(config.list(.rulesLicenceCheckPurposes).compactMap { MovementPurpose(rawValue: $0) })
    }
}
