import ArgumentParser
import DriverDeskApp
import Foundation

/// Global options may stand before the command (`driverdesk --db X who ...`); every leaf command
/// declares them, so move them behind the command path where ArgumentParser looks for them.
func reorderGlobalOptions(_ arguments: [String]) -> [String] {
    var rest: [String] = []
    var globals: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--" {
            rest += arguments[index...]
            break
        }
        let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
        if GlobalOptions.flags.contains(argument) {
            globals.append(argument)
        } else if GlobalOptions.valued.contains(name) {
            globals.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                globals.append(arguments[index + 1])
                index += 1
            }
        } else {
            rest.append(argument)
        }
        index += 1
    }
    if let terminator = rest.firstIndex(of: "--") {
        rest.insert(contentsOf: globals, at: terminator)
        return rest
    }
    return rest + globals
}

func runAsync<C: AsyncParsableCommand>(_ command: inout C) async throws {
    try await command.run()
}

func fail(_ message: String, code: Int32) -> Never {
    // ArgumentParser's own messages start with "Error: "; ours all start with the language's word for it (错误：, error: ).
    let text = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
    FileHandle.standardError.write(Data("\(Voice.words.label("errorPrefix"))\(text)\n".utf8))
    exit(code)
}

let arguments = reorderGlobalOptions(Array(CommandLine.arguments.dropFirst()))
var command: any ParsableCommand
do {
    command = try DriverDeskCommand.parseAsRoot(arguments)
} catch {
    let code = DriverDeskCommand.exitCode(for: error)
    if code == .success {
        print(DriverDeskCommand.fullMessage(for: error))
        exit(0)
    }
    fail(DriverDeskCommand.fullMessage(for: error), code: 2)
}
do {
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(&asyncCommand)
    } else {
        try command.run()
    }
} catch let error as DeskError {
    fail(Voice.describe(error), code: error.exitCode)
} catch let error as ViolationFileErrors {
    fail(Voice.describe(error), code: 2)
} catch let error as ImportErrors {
    fail(Voice.describe(error), code: 2)
} catch let error as ValidationError {
    fail(error.message, code: 2)
} catch {
    // ArgumentParser reports help and usage through errors thrown from `run()` as well.
    let code = DriverDeskCommand.exitCode(for: error)
    if code == .success {
        print(DriverDeskCommand.fullMessage(for: error))
        exit(0)
    }
    fail(DriverDeskCommand.fullMessage(for: error), code: code == .validationFailure ? 2 : 3)
}
