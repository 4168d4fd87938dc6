import ArgumentParser

/// The root command: its subcommands are the command-line contract of docs/cli.md.
struct DriverDeskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driverdesk",
        abstract: "The front desk of a repair shop: who drove which customer car, and the 12123 registrations and fines that follow.",
        discussion: """
            Global options (--db, --now, --operator, --json) go before or after the command.
            Exit status: 0 done; 1 refused by a rule (nothing written); 2 bad input or usage (nothing written); 3 storage or environment failure.
            """,
        subcommands: [
            Init.self, Status.self, ConfigCommand.self, StaffCommand.self, VehicleCommand.self,
            VisitCommand.self, MoveCommand.self, Who.self, RegisterCommand.self, ViolationCommand.self, Cleanup.self, Report.self, Backup.self, Restore.self, Serve.self, AuditCommand.self, Demo.self, ShopCommand.self, UserCommand.self,
        ]
    )
}
