import ArgumentParser
import DriverDeskApp
import Foundation

extension DriverDeskCommand {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "backup", abstract: "Copy the database to a new file, consistently, even while others write.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The backup file to create (it must not exist).") var file: String

        func run() throws {
            try global.refuseChain(Message("input.db.backupChain", ["tool": .text("pg_dump")]))
            let view = try global.desk().backup(to: file)
            try global.output.print(view) { Voice.say(Message("cli.backup.done", ["file": .text(view.file), "kibibytes": .number(Int(view.bytes / 1024))])) }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restore", abstract: "Replace the database's content with a backup (checked first; an older schema is migrated).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The backup file.") var file: String

        func run() throws {
            try global.refuseChain(Message("input.db.backupChain", ["tool": .text("pg_restore")]))
            let view = try global.desk().restore(from: file)
            try global.output.print(view) { Voice.say(Message("cli.restore.done", ["path": .text(global.shownDatabase), "file": .text(view.file)])) }
        }
    }
}
