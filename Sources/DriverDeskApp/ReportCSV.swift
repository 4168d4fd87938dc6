import DriverDeskCore
import Foundation

/// `report --csv`: one table of the report as a file people open in Excel or WPS on a Chinese Windows PC. UTF-8 with a
/// byte-order mark by default (without it Excel reads UTF-8 as the ANSI code page and every Chinese name is mojibake),
/// or GB18030; the headers in the chosen language; CRLF line ends; fields quoted where they must be.
public enum ReportCSV {
    /// Which table: per staff member, per car or per month.
    public enum Table: String, CaseIterable, Sendable {
        case staff, vehicle, month
    }

    public enum Encoding: String, CaseIterable, Sendable {
        case utf8 = "utf-8"
        case gb18030

        /// `--encoding`: utf-8 (also utf8) or gb18030 (also gbk, which it contains).
        public static func parse(_ raw: String, field: String) throws -> Encoding {
            switch raw.lowercased().replacingOccurrences(of: "_", with: "-") {
            case "utf-8", "utf8": return .utf8
            case "gb18030", "gbk", "gb2312": return .gb18030
            default: throw DeskError.invalid(field: field, reason: Message("input.encoding", ["raw": .text(raw)]))
            }
        }
    }

    /// The columns of each table, by their key in the catalogue's `csv` terms.
    public static let columns: [Table: [String]] = [
        .staff: ["staff_id", "name", "points_this_cycle", "points_remaining", "cycle_end", "violations", "open", "fines_paid_yuan", "late_fees_paid_yuan",
                 "paid_by_shop_yuan", "paid_by_driver_yuan", "paid_by_owner_yuan", "plates_handled_this_year"],
        .vehicle: ["plate", "violations", "points", "fines_yuan", "drivers"],
        .month: ["month", "violations", "points", "fines_yuan", "late_fees_paid_yuan", "paid_yuan", "late_fee_difference_yuan"],
    ]

    /// The table as text: a header row in the catalogue's words, then one row per staff member, car or month.
    public static func text(_ r: ReportView, table: Table, catalogue: Catalogue) -> String {
        var rows = [columns[table]!.map { catalogue.term("csv", $0) }]
        switch table {
        case .vehicle:
            rows += r.vehicles.map { [$0.plate, String($0.violations), String($0.points), "\($0.finesYuan)", String($0.drivers)] }
        case .month:
            rows += r.months.map { [$0.month, String($0.violations), String($0.points), "\($0.finesYuan)", "\($0.lateFeesPaidYuan)", "\($0.paidYuan)",
                                    "\($0.lateFeeDifferenceYuan)"] }
        case .staff:
            rows += r.staff.map { s in
                [String(s.staff.id), s.staff.name, String(s.pointsThisCycle), String(s.pointsRemaining), s.cycleEnd, String(s.violations), String(s.open),
                 "\(s.finesPaidYuan)", "\(s.lateFeesPaidYuan)", "\(s.paidByShopYuan)", "\(s.paidByDriverYuan)", "\(s.paidByOwnerYuan)", String(s.platesHandledThisYear)]
            }
        }
        return rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// The file's bytes in the chosen encoding.
    public static func bytes(_ text: String, encoding: Encoding) throws -> Data {
        switch encoding {
        case .utf8:
            return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
        case .gb18030:
            guard let data = text.data(using: String.Encoding(rawValue: 0x8000_0632)) else {  // kCFStringEncodingGB_18030_2000
                throw DeskError.storage(message: "this system cannot write GB18030; use --encoding utf-8")
            }
            return data
        }
    }

    /// A field as CSV writes it: quoted when it holds a comma, a quote or a line break. A field that Excel would read
    /// as a formula (=, +, -, @ first) gets a leading apostrophe, so a name cannot run as a formula in the shop's PC.
    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+@".contains(first) || (first == "-" && Double(value) == nil) { value = "'" + value }
        return value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}

extension Desk {
    /// `report --csv [--by staff|vehicle|month] [--encoding utf-8|gb18030]`: the bytes of the file.
    public func reportCSV(from: String?, to: String?, by: String, encoding: String?) throws -> Data {
        try actor.check(.report)
        guard let table = ReportCSV.Table(rawValue: by) else {
            throw DeskError.invalid(field: "by", reason: Message("input.oneOf", ["raw": .text(by), "options": .names(["staff", "vehicle", "month"])]))
        }
        let encoding = try encoding.map { try ReportCSV.Encoding.parse($0, field: "encoding") } ?? .utf8
        let config = try config()
        let text = ReportCSV.text(try report(from: from, to: to), table: table, catalogue: try catalogue(config))
        return try ReportCSV.bytes(text, encoding: encoding)
    }
}
