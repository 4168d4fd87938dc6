import Foundation

/// Any JSON document, so that stored JSON (audit values) can be nested in output as objects, not strings.
public enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses stored JSON; text that is not JSON is kept as a string.
    public init(parsing text: String?) {
        guard let text else { self = .null; return }
        self = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// A short one-line form for the human audit listing.
    public var compact: String {
        switch self {
        case .null: return "-"
        case .bool(let value): return String(value)
        case .number(let value): return value == value.rounded() ? String(Int64(value)) : String(value)
        case .string(let value): return value
        case .array(let values): return "[" + values.map(\.compact).joined(separator: ", ") + "]"
        case .object(let fields): return fields.keys.sorted().map { "\($0)=\(fields[$0]!.compact)" }.joined(separator: " ")
        }
    }

    /// What changed between two objects, `key: old → new` for each differing key; whole values otherwise.
    public static func change(from before: JSONValue, to after: JSONValue) -> String {
        guard case .object(let old) = before, case .object(let new) = after else {
            return before == .null ? after.compact : "\(before.compact) → \(after.compact)"
        }
        let keys = Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }
        if keys.isEmpty { return "no change" }
        return keys.map { "\($0): \((old[$0] ?? .null).compact) → \((new[$0] ?? .null).compact)" }.joined(separator: "; ")
    }
}
