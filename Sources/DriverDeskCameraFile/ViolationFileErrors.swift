import DriverDeskCore
import Foundation

/// Every line of a violation file that cannot be imported; the file is refused as a whole.
public struct ViolationFileErrors: Error, LocalizedError, Sendable {
    /// The errors, in file order, each `.invalid` with its line (at most `ViolationFile.listedErrors`).
    public var errors: [DeskError]
    /// How many errors there are beyond those listed.
    public var more: Int
    /// How many lines of the file have at least one error.
    public var lines: Int

    public init(errors: [DeskError], more: Int, lines: Int) {
        self.errors = errors
        self.more = more
        self.lines = lines
    }

    /// Without a catalogue (logs, tests): people see it through `Catalogue.describe`, in their language.
    public var errorDescription: String? {
        (["\(lines) lines cannot be imported"] + errors.map { "  " + ($0.errorDescription ?? "") } + (more > 0 ? ["  +\(more)"] : []))
            .joined(separator: "\n")
    }
}

extension ViolationFile {
    /// The errors found so far: the first `listedErrors` kept with their lines, the rest only counted.
    struct ErrorList {
        private(set) var listed: [DeskError] = []
        private(set) var more = 0
        /// How many lines have at least one error (the reader counts them).
        var badLines = 0

        /// Every error found, listed or counted.
        var count: Int { listed.count + more }

        mutating func add(_ error: DeskError, line: Int) {
            if listed.count < ViolationFile.listedErrors {
                listed.append(error.at(line: line))
            } else {
                more += 1
            }
        }

        /// The refusal of the whole file, or nil when no line is bad.
        var refusal: ViolationFileErrors? {
            listed.isEmpty ? nil : ViolationFileErrors(errors: listed, more: more, lines: badLines)
        }
    }

    /// Text for a message: control characters made visible, shortened to `limit` characters.
    static func shown(_ text: String, limit: Int) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { out.append("…"); break }
            let category = scalar.properties.generalCategory
            out.append(category == .control || category == .format || category == .unassigned || category == .privateUse ? "�" : scalar)
            count += 1
        }
        return String(out)
    }
}
