/// The ASCII name of a car on its key tag, e.g. `BJ-A12345` for 京A12345: what a USB scanner in keyboard mode can type.
///
/// It is the plate spelled in ASCII, so it needs no storage, never changes while the plate does not, and is unique in a
/// shop because the plate is: the province as its ISO 3166-2:CN letters (使 and 领 as SHI and LING), the letters and digits
/// as they stand, and a last character such as 挂 or 学 as its pinyin after a hyphen (京A1234挂 is `BJ-A1234-GUA`).
public enum KeyTagToken {
    static let provinceCodes: [Character: String] = [
        "京": "BJ", "津": "TJ", "冀": "HE", "晋": "SX", "蒙": "NM", "辽": "LN", "吉": "JL", "黑": "HL", "沪": "SH", "苏": "JS",
        "浙": "ZJ", "皖": "AH", "闽": "FJ", "赣": "JX", "鲁": "SD", "豫": "HA", "鄂": "HB", "湘": "HN", "粤": "GD", "桂": "GX",
        "琼": "HI", "渝": "CQ", "川": "SC", "贵": "GZ", "云": "YN", "藏": "XZ", "陕": "SN", "甘": "GS", "青": "QH", "宁": "NX",
        "新": "XJ", "使": "SHI", "领": "LING",
    ]
    static let suffixCodes: [Character: String] = ["挂": "GUA", "学": "XUE", "警": "JING", "港": "GANG", "澳": "AO", "领": "LING"]
    static let provinces = Dictionary(uniqueKeysWithValues: provinceCodes.map { ($1, $0) })
    static let suffixes = Dictionary(uniqueKeysWithValues: suffixCodes.map { ($1, $0) })

    /// The token of a plate.
    public static func token(of plate: Plate) -> String {
        let chars = Array(plate.text)
        var token = (provinceCodes[chars[0]] ?? "") + "-"
        for char in chars.dropFirst() {
            if let code = suffixCodes[char], char.asciiValue == nil { token += "-" + code } else { token.append(char) }
        }
        return token
    }

    /// The plate a token names, in any case (a scanner with Caps Lock on types it in lower case); nil for anything else.
    public static func plate(of text: String) -> Plate? {
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), let province = provinces[parts[0]],
              !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit }) else { return nil }
        var text = String(province) + parts[1]
        if parts.count == 3 {
            guard let suffix = suffixes[parts[2]] else { return nil }
            text.append(suffix)
        }
        guard let plate = try? Plate(text), token(of: plate) == parts.joined(separator: "-") else { return nil }
        return plate
    }

    /// The link a key tag's QR holds: the shop's web address (`web.publicURL`) and `/k/` and the token, ASCII only, so a
    /// phone's camera opens it and a USB scanner in keyboard mode types it whole.
    public static func link(base: String, plate: Plate) -> String {
        base + "/k/" + token(of: plate)
    }

    /// The token inside a key tag's link (`…/k/BJ-A12345`, in any case, with or without the address before it);
    /// nil when the text holds no `/k/` followed by a token.
    public static func plate(inLink text: String) -> Plate? {
        let upper = text.uppercased()
        var search = upper.startIndex..<upper.endIndex
        while let marker = upper.range(of: "/K/", range: search) {
            let rest = upper[marker.upperBound...]
            let token = rest.prefix(while: { !$0.isWhitespace && $0 != "/" && $0 != "?" && $0 != "#" })
            if let plate = plate(of: String(token)) { return plate }
            search = marker.upperBound..<upper.endIndex
        }
        return nil
    }
}
