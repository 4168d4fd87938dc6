import DriverDeskCore

extension ViolationFile {
    /// The columns the reader knows; all others are ignored.
    enum Column: String, CaseIterable, Sendable {
        case plate, time, code, location, description, fine, points, recordNo = "record-no"

        /// The spellings seen in real exports, already in the form `headerKey` makes.
        static let aliases: [String: Column] = {
            let table: [(Column, [String])] = [
                (.plate, ["车牌号", "车牌号码", "号牌号码", "号牌", "车牌", "plate", "plate number", "plate_no"]),
                (.time, ["违法时间", "违章时间", "时间", "发生时间", "time", "occurred at", "occurred_at", "datetime", "date time"]),
                (.code, ["违法代码", "违法行为代码", "违章代码", "代码", "code", "violation code"]),
                (.location, ["违法地点", "违章地点", "地点", "location", "place", "address"]),
                (.description, ["违法行为", "违法内容", "description"]),
                (.fine, ["罚款金额", "罚款", "罚金", "金额", "fine", "fine yuan", "amount"]),
                (.points, ["记分", "扣分", "违法记分", "分数", "points", "score"]),
                (.recordNo, ["决定书编号", "记录编号", "违法记录编号", "决定书号", "编号", "record no", "record number", "record_no", "recordNo"]),
            ]
            var aliases: [String: Column] = [:]
            for (column, names) in table {
                for name in names { aliases[ViolationFile.headerKey(name).key] = column }
            }
            return aliases
        }()

        static let required: [Column] = [.plate, .time, .code]

        /// The column as a person names it in either language: 车牌号 / plate.
        var example: String {
            switch self {
            case .plate: "车牌号 / plate"
            case .time: "违法时间 / time"
            case .code: "违法代码 / code"
            case .location: "违法地点 / location"
            case .description: "违法行为 / description"
            case .fine: "罚款金额 / fine"
            case .points: "记分 / points"
            case .recordNo: "决定书编号 / record-no"
            }
        }
    }

    static let unitSuffixes: Set<String> = ["元", "人民币", "人民币元", "yuan", "rmb", "cny", "¥", "￥", "分"]
    static let openBrackets: Set<Unicode.Scalar> = ["(", "（", "[", "【", "［", "〔", "《", "<", "〈"]
    static let closeBrackets: Set<Unicode.Scalar> = [")", "）", "]", "】", "］", "〕", "》", ">", "〉"]
    static let ignoredInHeader: Set<Unicode.Scalar> = ["_", "-", "*", ":", "：", "\"", "'"]

    /// A header cell reduced for matching: lower case, no spaces, brackets or marks, without a unit suffix such as （元）.
    static func headerKey(_ raw: String) -> (key: String, unit: String?) {
        var scalars = Array(raw.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace })
        var unit: String?
        if let last = scalars.last, closeBrackets.contains(last),
           let open = scalars.lastIndex(where: { openBrackets.contains($0) }), open > 0 {
            var inner = String.UnicodeScalarView()
            inner.append(contentsOf: scalars[(open + 1)..<(scalars.count - 1)])
            let innerText = String(inner)
            if unitSuffixes.contains(innerText) {
                unit = innerText
                scalars.removeSubrange(open...)
            }
        }
        var key = String.UnicodeScalarView()
        key.append(contentsOf: scalars.filter { !openBrackets.contains($0) && !closeBrackets.contains($0) && !ignoredInHeader.contains($0) })
        return (String(key), unit)
    }

    /// Where each known column is, from the header's cells.
    struct Header {
        var width: Int
        var plate = 0, time = 0, code = 0
        var location: Int?, description: Int?, fine: Int?, points: Int?, recordNo: Int?

        init(cells: [String], line: Int) throws {
            var cells = cells
            while let last = cells.last, last.trimmingSpaces().isEmpty { cells.removeLast() }
            width = cells.count
            var index: [Column: Int] = [:]
            var duplicate: Message?
            for (position, cell) in cells.enumerated() {
                let (key, unit) = ViolationFile.headerKey(cell)
                guard let column = Column.aliases[key] else { continue }
                if column == .fine, unit == "分" {
                    throw DeskError.invalid(field: "header", reason: Message("input.header.fen", ["column": .text(cell.trimmingSpaces())]), line: line)
                }
                if let earlier = index[column] {
                    duplicate = duplicate ?? Message("input.header.duplicate", ["first": .text(cells[earlier].trimmingSpaces()), "firstColumn": .number(earlier + 1), "second": .text(cell.trimmingSpaces()), "secondColumn": .number(position + 1), "column": .text(column.example)])
                } else {
                    index[column] = position
                }
            }
            if let duplicate { throw DeskError.invalid(field: "header", reason: duplicate, line: line) }
            let missing = Column.required.filter { index[$0] == nil }
            if !missing.isEmpty {
                let found = cells.map { ViolationFile.shown($0.trimmingSpaces(), limit: 30) }.filter { !$0.isEmpty }
                let reason = missing.count == Column.required.count
                    ? Message("input.header.noHeader", ["found": .names(found.isEmpty ? ["-"] : Array(found.prefix(40)))])
                    : Message("input.header.missing", ["missing": .names(missing.map(\.example)), "found": .names(found.isEmpty ? ["-"] : Array(found.prefix(40)))])
                throw DeskError.invalid(field: "header", reason: reason, line: line)
            }
            plate = index[.plate]!
            time = index[.time]!
            code = index[.code]!
            location = index[.location]
            description = index[.description]
            fine = index[.fine]
            points = index[.points]
            recordNo = index[.recordNo]
        }
    }
}
