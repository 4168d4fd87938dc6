import Foundation

/// A reason, refusal or warning as a value: a stable code and the facts it names. Front ends render it in the
/// person's language through a catalogue (`templates/i18n/<language>.json`, section `messages`); scripts read the
/// code (`reasonCodes` in `--json`). The core never writes a sentence.
///
/// Every message is made as `Message("code", ["name": .argument, …])` on one line: the catalogue test reads the
/// sources for these and checks each code and its placeholders against both catalogues.
public struct Message: Sendable, Hashable {
    /// Stable: scripts may rely on it (`attribution.driving`, `channel.registrationAfterViolation`, …).
    public var code: String
    public var arguments: [String: Argument]

    public init(_ code: String, _ arguments: [String: Argument] = [:]) {
        self.code = code
        self.arguments = arguments
    }

    /// A text from before messages were values (violations recorded by an older DriverDesk keep their English
    /// reasons): shown as it is, in every language.
    public static func verbatim(_ text: String) -> Message { Message("verbatim", ["text": .text(text)]) }
}

extension Message {
/// One fact a message names. How it reads is the catalogue's business: `.fen(20000)` is "200 元" or "200 yuan".
public enum Argument: Sendable, Hashable {
    /// Shown as it is: a name, a plate, a reference, a place, a code, a setting's key.
    case text(String)
    /// A count, a number of points, a record's number.
    case number(Int)
    /// An instant, shown in the shop's time zone.
    case time(Date)
    case day(CivilDate)
    /// Money, kept in fen.
    case fen(Int)
    case minutes(Int)
    case days(Int)
    /// Several names, joined the language's way.
    case names([String])
    /// A value of one of the vocabulary's enumerations, shown through the catalogue's `terms`: `.term("purpose", "road-test")`.
    case term(String, String)
}
}

// MARK: Storage

/// Messages are stored (a violation's attribution reasons) as JSON: `{"code":"…","args":{"plate":{"text":"京A12345"}}}`.
extension Message: Codable {
    enum Keys: String, CodingKey { case code, args }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        code = try container.decode(String.self, forKey: .code)
        arguments = try container.decodeIfPresent([String: Argument].self, forKey: .args) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(code, forKey: .code)
        if !arguments.isEmpty { try container.encode(arguments, forKey: .args) }
    }

    /// Reads what a violation's `reasons` column holds: messages, or the English sentences of an older DriverDesk.
    public static func decodeList(_ json: String) -> [Message] {
        let data = Data(json.utf8)
        if let messages = try? JSONDecoder().decode([Message].self, from: data) { return messages }
        if let texts = try? JSONDecoder().decode([String].self, from: data) { return texts.map(Message.verbatim) }
        return []
    }

    /// The JSON of a list of messages, as stored: byte for byte what `JSONEncoder` with sorted keys and unescaped
    /// slashes writes, without the encoder (an import writes one list per violation, 100,000 times).
    public static func encodeList(_ messages: [Message]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(64 + messages.count * 160)
        for (index, message) in messages.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            if !message.arguments.isEmpty {
                out += Array(#""args":{"#.utf8)
                for (position, name) in message.arguments.keys.sorted().enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    JSONText.append(string: name, to: &out)
                    out += Array(":{".utf8)
                    message.arguments[name]!.appendJSON(to: &out)
                    out.append(UInt8(ascii: "}"))
                }
                out += Array("},".utf8)
            }
            out += Array(#""code":"#.utf8)
            JSONText.append(string: message.code, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}

extension Message.Argument {
    /// `"kind":value`, as the Codable conformance below encodes it.
    func appendJSON(to out: inout [UInt8]) {
        func key(_ name: String) { out += Array("\"\(name)\":".utf8) }
        switch self {
        case .text(let text): key("text"); JSONText.append(string: text, to: &out)
        case .number(let number): key("number"); out += Array(String(number).utf8)
        case .time(let date): key("time"); out += Array(String(Int64(date.timeIntervalSince1970.rounded(.down))).utf8)
        case .day(let day): key("day"); JSONText.append(string: day.description, to: &out)
        case .fen(let fen): key("fen"); out += Array(String(fen).utf8)
        case .minutes(let minutes): key("minutes"); out += Array(String(minutes).utf8)
        case .days(let days): key("days"); out += Array(String(days).utf8)
        case .names(let names):
            key("names")
            out.append(UInt8(ascii: "["))
            for (index, name) in names.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.append(string: name, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .term(let kind, let value):
            key("term")
            out.append(UInt8(ascii: "["))
            JSONText.append(string: kind, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.append(string: value, to: &out)
            out.append(UInt8(ascii: "]"))
        }
    }
}

/// JSON strings written by hand as Foundation's `JSONEncoder` writes them with `.withoutEscapingSlashes`: the quote,
/// the backslash and the control characters escaped (\b \f \n \r \t by name, the others as \u00xx), the rest as is.
public enum JSONText {
    public static func append(string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: string.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        let hex = Array("0123456789abcdef".utf8)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20:
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension Message.Argument: Codable {
    enum Keys: String, CodingKey { case text, number, time, day, fen, minutes, days, names, term }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        guard let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "an argument without a kind"))
        }
        switch key {
        case .text: self = .text(try container.decode(String.self, forKey: key))
        case .number: self = .number(try container.decode(Int.self, forKey: key))
        case .time: self = .time(Date(timeIntervalSince1970: TimeInterval(try container.decode(Int64.self, forKey: key))))
        case .day: self = .day(try CivilDate(parsing: try container.decode(String.self, forKey: key), field: "day"))
        case .fen: self = .fen(try container.decode(Int.self, forKey: key))
        case .minutes: self = .minutes(try container.decode(Int.self, forKey: key))
        case .days: self = .days(try container.decode(Int.self, forKey: key))
        case .names: self = .names(try container.decode([String].self, forKey: key))
        case .term:
            let pair = try container.decode([String].self, forKey: key)
            guard pair.count == 2 else { throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "a term is [kind, value]") }
            self = .term(pair[0], pair[1])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .text(let text): try container.encode(text, forKey: .text)
        case .number(let number): try container.encode(number, forKey: .number)
        case .time(let date): try container.encode(Int64(date.timeIntervalSince1970.rounded(.down)), forKey: .time)
        case .day(let day): try container.encode(day.description, forKey: .day)
        case .fen(let fen): try container.encode(fen, forKey: .fen)
        case .minutes(let minutes): try container.encode(minutes, forKey: .minutes)
        case .days(let days): try container.encode(days, forKey: .days)
        case .names(let names): try container.encode(names, forKey: .names)
        case .term(let kind, let value): try container.encode([kind, value], forKey: .term)
        }
    }
}
