import DriverDeskCore
import Foundation

/// The custody report as the owner gets it: a printed page (80 mm receipt or A5) and a short text for WeChat or SMS
/// (R14). Staff are named as the shop names them; no ID number appears (R12).
public struct CustodyReportDocument {
    public let report: VisitReportView

    public init(report: VisitReportView) {
        self.report = report
    }

    /// `2026-11-20T09:05:00+08:00` as `11-20 09:05`.
    static func short(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return "" }
        let chars = Array(iso)
        return String(chars[5..<10]) + " " + String(chars[11..<16])
    }

    /// `12345` as `12,345`: an odometer reading as a person reads it.
    public static func grouped(_ value: Int) -> String {
        let digits = Array(String(abs(value)))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// The page length of the 80 mm roll: the report is one piece, as long as its lines need (the printer cuts after it).
    /// Measured in Chromium: about 90 mm of head, readings and the km line (130 with English) and 9 mm a movement;
    /// the rest is room for long names.
    func rollLength(english: Bool) -> Int {
        (english ? 140 : 100) + 10 * max(1, report.movements.count)
    }

    /// The Mustache context of the page and the text.
    func context(paper: InviteDocument.Paper, english: Bool) throws -> [String: Any] {
        let zh = try Catalogue.shipped(.zhHans), en = try Catalogue.shipped(.en)
        func present(_ values: [String: String?]) -> [String: String] { values.compactMapValues { $0.flatMap { $0.isEmpty ? nil : $0 } } }
        let number = Self.grouped
        var context: [String: Any] = [
            "shop": present(["name": report.shop, "phone": report.shopPhone]),
            "plate": report.plate, "owner": report.owner,
            "checkin": Self.short(report.checkin), "inShop": report.inShop,
            "paper": paper.rawValue, "isA5": paper == .a5, "is80mm": paper == .receipt80, "english": english,
            "rollLength": rollLength(english: english),
            "movementCount": report.movements.count, "hasMovements": !report.movements.isEmpty, "minutesDriven": report.minutesDriven,
            "movements": report.movements.map { m in
                ["staff": m.staff.name, "purposeZh": zh.term("purpose", m.purpose), "purposeEn": en.term("purpose", m.purpose),
                 "start": Self.short(m.start), "end": m.end.map { Self.short($0) } ?? "", "inProgress": m.inProgress, "minutes": m.minutes] as [String: Any]
            },
            "flagged": report.flagged,
            "rate": CustodyReportRules.format(report.kmPerMovementMinute), "slack": report.kmSlack,
            "explained": CustodyReportRules.format(report.kmExplained),
        ]
        if let checkout = report.checkout { context["checkout"] = Self.short(checkout) }
        if let order = report.orderNo, !order.isEmpty { context["orderNo"] = order }
        if let km = report.kmDriven { context["kmDriven"] = number(km) }
        if let km = report.unexplainedKm, km > 0 { context["unexplainedKm"] = number(km) }
        if let km = report.odometerIn { context["odometerIn"] = number(km) }
        if let km = report.odometerOut { context["odometerOut"] = number(km) }
        if let fuel = report.fuelIn { context["fuelIn"] = String(fuel) }
        if let fuel = report.fuelOut { context["fuelOut"] = String(fuel) }
        context["hasOdometer"] = report.odometerIn != nil || report.odometerOut != nil
        context["hasFuel"] = report.fuelIn != nil || report.fuelOut != nil
        context["noKm"] = report.kmDriven == nil
        return context
    }

    /// The printable page: self-contained HTML. `served`: by the web front desk (its print button's script is the
    /// site's own file); `english`: each line in English under the Chinese.
    public func html(paper: InviteDocument.Paper, templates: Templates, served: Bool = false, english: Bool = false) throws -> String {
        var context = try context(paper: paper, english: english)
        context["served"] = served
        return try templates.render("custody-report", context)
    }

    /// The text to paste into WeChat or an SMS: short, Chinese first, English below.
    public func text(templates: Templates) throws -> String {
        try templates.render("custody-text", try context(paper: .a5, english: true)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
