import Foundation

/// Every failure DriverDesk reports to a person: what went wrong, which field, and what to do.
///
/// The case decides the exit status of the command line (docs/cli.md, "Exit status").
public enum DeskError: Error, Equatable, Sendable {
    /// Input that cannot be understood: a malformed plate, an unknown licence class (exit 2).
    case invalid(field: String, message: String, line: Int? = nil)
    /// Something named in the input does not exist: an unknown plate, staff member or reference (exit 2).
    case notFound(field: String, message: String)
    /// Input that is well formed but a rule of the rulebook refuses it (exit 1).
    case refused(rule: String, message: String)
    /// The database or the machine failed us (exit 3).
    case storage(message: String)
    /// A rule refused, with its reasons as values, which the front end renders in the person's language (exit 1).
    /// Every refusal is meant to become one of these.
    case refusedWith(rule: String, reasons: [Message])

    /// The exit status the command line uses for this error.
    public var exitCode: Int32 {
        switch self {
        case .invalid, .notFound: 2
        case .refused, .refusedWith: 1
        case .storage: 3
        }
    }

    /// The field the error is about, when there is one.
    public var field: String? {
        switch self {
        case .invalid(let field, _, _), .notFound(let field, _): field
        case .refused, .refusedWith, .storage: nil
        }
    }

    /// A copy of an `.invalid` error with the line of a file it came from.
    public func at(line: Int) -> DeskError {
        if case .invalid(let field, let message, _) = self {
            return .invalid(field: field, message: message, line: line)
        }
        return self
    }
}

extension DeskError: LocalizedError {
    /// A message never runs to pages: what a person typed is echoed at most this long.
    static let longest = 600

    /// The message, cut to `longest` characters, with anything that looks like an ID number masked (R12): a number
    /// typed into the wrong field is echoed in the error, and errors go to logs.
    public var errorDescription: String? {
        let text = IDNumber.maskAll(in: full)
        return text.count > DeskError.longest ? String(text.prefix(DeskError.longest)) + "…" : text
    }

    var full: String {
        switch self {
        case .invalid(let field, let message, let line):
            if let line { return "line \(line): \(field): \(message)" }
            return "\(field): \(message)"
        case .notFound(let field, let message):
            return "\(field): \(message)"
        case .refused(let rule, let message):
            return "\(message) (\(rule))"
        case .storage(let message):
            return "storage: \(message)"
        case .refusedWith(let rule, let reasons):
            // Without a catalogue (a front end renders these itself): the stable codes.
            return reasons.map(\.code).joined(separator: "; ") + " (\(rule))"
        }
    }
}

/// Lines of an imported file that cannot be imported (unknown plates, found by the store); nothing was.
public struct ImportErrors: Error, LocalizedError, Sendable {
    public var errors: [DeskError]
    public var more: Int

    public init(errors: [DeskError], more: Int) {
        self.errors = errors
        self.more = more
    }

    public var errorDescription: String? {
        let count = errors.count + more
        var lines = ["\(count) line\(count == 1 ? "" : "s") cannot be imported; nothing was imported:"]
        lines += errors.map { "  " + ($0.errorDescription ?? "") }
        if more > 0 { lines.append("  and \(more) more") }
        return lines.joined(separator: "\n")
    }
}
