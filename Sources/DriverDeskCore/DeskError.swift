import Foundation

/// Every failure DriverDesk reports to a person: what went wrong, which field, and what to do.
///
/// The case decides the exit status of the command line (docs/cli.md, "Exit status").
public enum DeskError: Error, Equatable, Sendable {
    /// Input that cannot be understood: a malformed plate, an unknown licence class (exit 2). `field` is the
    /// input's own name (a flag, a form field, a column of a file), shown as it is in every language; the reason
    /// is a value the front end renders in the person's language.
    case invalid(field: String, reason: Message, line: Int? = nil)
    /// Something named in the input does not exist: an unknown plate, staff member or reference (exit 2).
    case notFound(field: String, reason: Message)
    /// The database or the machine failed us (exit 3): the system's own words, for whoever looks after the machine.
    case storage(message: String)
    /// Input that is well formed but a rule refuses it, with its reasons as values, which the front end renders in
    /// the person's language (exit 1).
    case refusedWith(rule: String, reasons: [Message])
    /// The person's role does not cover what he asked for (`Actor.check`): exit 1 on the command line, 403 on the
    /// web, nothing written. A type of its own, so that a front end never tells it from a rule's refusal by a name.
    case forbidden(reasons: [Message])
    /// The database did not answer in time, or its connection was lost (exit 3; 503 on the web): whether anything was
    /// written is the `Outage`'s to say.
    case unavailable(Outage)

    /// Why a database could not be used, and what became of the write that met it.
    public enum Outage: String, Sendable, Equatable, CaseIterable {
        /// The server cannot be reached (stopped, restarting, the network down), or did not answer in time: nothing
        /// was written.
        case unreachable
        /// The database file is locked by another process for longer than the timeout: nothing was written.
        case locked
        /// The connection was lost while the change was being committed, and the server could not be asked since: the
        /// change may or may not have been recorded (it is never tried again blindly).
        case outcomeUnknown
    }

    /// The exit status the command line uses for this error.
    public var exitCode: Int32 {
        switch self {
        case .invalid, .notFound: 2
        case .refusedWith, .forbidden: 1
        case .storage, .unavailable: 3
        }
    }

    /// The field the error is about, when there is one.
    public var field: String? {
        switch self {
        case .invalid(let field, _, _), .notFound(let field, _): field
        case .refusedWith, .forbidden, .storage, .unavailable: nil
        }
    }

    /// A copy of an `.invalid` error with the line of a file it came from.
    public func at(line: Int) -> DeskError {
        if case .invalid(let field, let reason, _) = self {
            return .invalid(field: field, reason: reason, line: line)
        }
        return self
    }
}

extension DeskError: LocalizedError {
    /// A message never runs to pages: what a person typed is echoed at most this long.
    static let longest = 600

    /// The error without a catalogue (logs, and tests of the core): the field and the reason's code with its facts.
    /// People see it through `Catalogue.describe`, in their language. Cut to `longest` characters, with anything
    /// that looks like an ID number masked (R12): a number typed into the wrong field is echoed in the error.
    public var errorDescription: String? {
        let text = IDNumber.maskAll(in: full)
        return text.count > DeskError.longest ? String(text.prefix(DeskError.longest)) + "…" : text
    }

    var full: String {
        switch self {
        case .invalid(let field, let reason, let line):
            if let line { return "line \(line): \(field): \(reason)" }
            return "\(field): \(reason)"
        case .notFound(let field, let reason):
            return "\(field): \(reason)"
        case .storage(let message):
            return "storage: \(message)"
        case .refusedWith(let rule, let reasons):
            // Without a catalogue (a front end renders these itself): the stable codes.
            return reasons.map(\.code).joined(separator: "; ") + " (\(rule))"
        case .forbidden(let reasons):
            return reasons.map(\.code).joined(separator: "; ") + " (role)"
        case .unavailable(let outage):
            return "database unavailable: \(outage.rawValue)"
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
        ([errors.count + more == 1 ? "1 line cannot be imported" : "\(errors.count + more) lines cannot be imported"]
            + errors.map { "  " + ($0.errorDescription ?? "") } + (more > 0 ? ["  +\(more)"] : [])).joined(separator: "\n")
    }
}

extension Message: CustomStringConvertible {
    /// `code(name: value, …)`: the message without a catalogue, for logs.
    public var description: String {
        guard !arguments.isEmpty else { return code }
        let facts = arguments.keys.sorted().map { name -> String in
            switch arguments[name]! {
            case .text(let text): "\(name): \(text.debugDescription)"
            case .number(let number), .fen(let number), .minutes(let number), .days(let number): "\(name): \(number)"
            case .time(let date): "\(name): \(Int64(date.timeIntervalSince1970))"
            case .day(let day): "\(name): \(day)"
            case .names(let names): "\(name): \(names)"
            case .term(_, let value): "\(name): \(value)"
            }
        }
        return "\(code)(\(facts.joined(separator: ", ")))"
    }
}
