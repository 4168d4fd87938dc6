/// A PostgreSQL script cut into its statements, for a client that sends one statement at a time (postgres-nio speaks
/// the extended protocol, which takes one). A `;` ends a statement unless it is inside a quoted string (`'…'`), a quoted
/// name (`"…"`), a dollar-quoted body (`$$…$$`, `$fn$…$fn$`), a `--` comment or a `/* … */` comment (they nest).
/// psql's backslash commands are not SQL and are refused.
public enum SQLScript {
    public struct Unfinished: Error, Equatable, CustomStringConvertible {
        /// The line of the script where the unfinished quote, body or comment starts (from 1).
        public var line: Int
        public var description: String { "the script ends inside a quote, a dollar-quoted body or a comment opened on line \(line)" }
    }

    /// The statements, trimmed, without their `;`; comments that stand alone are dropped with the whitespace around.
    public static func statements(_ script: String) throws -> [String] {
        let text = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0
        var line = 1
        func emit() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if hasCode && !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func at(_ offset: Int) -> Unicode.Scalar? { index + offset < text.count ? text[index + offset] : nil }
        while index < text.count {
            let c = text[index]
            if c == "\n" { line += 1 }
            switch c {
            case "-" where at(1) == "-":
                // A comment to the end of the line: kept out of the statement.
                while index < text.count && text[index] != "\n" { index += 1 }
                continue
            case "/" where at(1) == "*":
                let start = line
                var depth = 0
                repeat {
                    guard index < text.count else { throw Unfinished(line: start) }
                    if text[index] == "/" && at(1) == "*" { depth += 1; index += 2; continue }
                    if text[index] == "*" && at(1) == "/" { depth -= 1; index += 2; continue }
                    if text[index] == "\n" { line += 1 }
                    index += 1
                } while depth > 0
                current.append(" ")
                continue
            case "'", "\"":
                let start = line
                // E'…' takes backslash escapes (E'it\'s'); a plain string does not.
                let escapes = c == "'" && index > 0 && (text[index - 1] == "E" || text[index - 1] == "e")
                    && (index < 2 || !(text[index - 2] == "_" || text[index - 2].properties.isAlphabetic || ("0"..."9").contains(text[index - 2])))
                current.append(c)
                index += 1
                while true {
                    guard index < text.count else { throw Unfinished(line: start) }
                    let d = text[index]
                    current.append(d)
                    index += 1
                    if d == "\n" { line += 1 }
                    if escapes && d == "\\" && index < text.count {
                        if text[index] == "\n" { line += 1 }
                        current.append(text[index])
                        index += 1
                        continue
                    }
                    if d == c {
                        // A doubled quote is the quote itself.
                        if at(0) == c { current.append(c); index += 1; continue }
                        break
                    }
                }
                hasCode = true
                continue
            case "$":
                // $tag$ … $tag$, the tag being empty or an identifier (not $1, a parameter).
                var end = index + 1
                while end < text.count, text[end] == "_" || text[end].properties.isAlphabetic || (end > index + 1 && ("0"..."9").contains(text[end])) { end += 1 }
                if end < text.count, text[end] == "$" {
                    let tag = Array(text[index...end])
                    let start = line
                    current.append(contentsOf: tag)
                    index = end + 1
                    while true {
                        guard index < text.count else { throw Unfinished(line: start) }
                        if text[index] == "$", index + tag.count <= text.count, Array(text[index..<(index + tag.count)]) == tag {
                            current.append(contentsOf: tag)
                            index += tag.count
                            break
                        }
                        if text[index] == "\n" { line += 1 }
                        current.append(text[index])
                        index += 1
                    }
                    hasCode = true
                    continue
                }
            case ";":
                emit()
                index += 1
                continue
            case "\\":
                // Outside quotes a backslash is psql's (\i, \gset, \g …), never SQL.
                throw BackslashCommand(line: line)
            default:
                break
            }
            current.append(c)
            if !c.properties.isWhitespace { hasCode = true }
            index += 1
        }
        emit()
        return statements
    }

    /// A psql meta-command (`\i`, `\set`, …): not something a server runs.
    public struct BackslashCommand: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var description: String { "line \(line) is a psql command, not SQL" }
    }
}
