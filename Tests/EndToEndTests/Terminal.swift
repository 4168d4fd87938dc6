import Foundation

/// A command at a terminal of its own (`script` gives it one), typed into as a person does: each line once its
/// prompt shows, never after a guessed pause. Every wait has a deadline and says what it saw.
final class Terminal: @unchecked Sendable {
    let process = Process()
    private let input = Pipe(), output = Pipe()
    private let condition = NSCondition()
    /// What the terminal showed so far, and how much of it earlier waits have used.
    private var shown = Data()
    private var used = 0
    private var ended = false

    /// Starts `command` (a shell command line) at a terminal.
    init(_ command: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let reading = output.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let data = reading.availableData
                condition.lock()
                if data.isEmpty { ended = true } else { shown.append(data) }
                condition.broadcast()
                condition.unlock()
                if data.isEmpty { return }
            }
        }
    }

    /// The whole output so far, without the terminal's carriage returns.
    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: shown, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
    }

    /// Waits until the terminal shows `prompt` after what earlier waits used; throws after `seconds`.
    func waitFor(_ prompt: String, seconds: Double = 30) throws {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let fresh = String(decoding: shown[used...], as: UTF8.self)
            if fresh.contains(prompt) {
                used = shown.count
                return
            }
            guard !ended else { throw ToolFailure(description: "the command ended without showing \(prompt): \(String(decoding: shown, as: UTF8.self))") }
            guard condition.wait(until: deadline) else {
                throw ToolFailure(description: "waited \(seconds) s for \(prompt); the terminal shows: \(String(decoding: shown, as: UTF8.self))")
            }
        }
    }

    /// Types a line and Enter.
    func type(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Waits until the command has ended (its output closed, its process gone) and returns all it showed.
    func finish(seconds: Double = 60) throws -> String {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        while !ended {
            guard condition.wait(until: deadline) else {
                condition.unlock()
                process.terminate()
                throw ToolFailure(description: "the command did not end within \(seconds) s: \(text)")
            }
        }
        condition.unlock()
        process.waitUntilExit()
        return text
    }
}
