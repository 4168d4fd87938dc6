import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// A violation as the command line and the web show it: who drove, how to handle it, what is owed.
public struct ViolationView: Codable, Equatable, Sendable {
    public var id: Int64
    public var plate: String
    public var occurredAt: String
    public var code: String
    public var description: String?
    public var category: String?
    public var location: String?
    public var points: Int
    public var fineYuan: Decimal
    public var recordNo: String?
    public var status: String
    public var driver: StaffRef?
    public var attribution: String
    public var needsReview: Bool
    public var channel: String?
    /// Every sentence that decided the attribution and the channel, in the chosen language.
    public var reasons: [String]
    /// The same, as stable codes for scripts (one per reason, in the same order).
    public var reasonCodes: [String]
    public var attributionReasons: [String]
    public var channelReasons: [String]
    public var onlineFrom: String?
    public var assignedBy: String?
    public var assignReason: String?
    public var processedAt: String?
    public var processedChannel: String?
    public var dueDate: String?
    public var lateFeeYuan: Decimal?
    public var totalDueYuan: Decimal?
    public var paidAt: String?
    public var paidYuan: Decimal?
    public var payMethod: String?
    public var payer: String?
    /// What was paid beyond the fine and DriverDesk's late fee (negative: less), when 12123 counted the fee otherwise (R7).
    public var lateFeeDifferenceYuan: Decimal?
    /// When and why it was handed back to the owner as his own.
    public var handedBackAt: String?
    public var handBackReason: String?
    /// review, invite, window, process, pay, overdue or none: what the front desk does next.
    public var nextAction: String

    init(_ row: ViolationRow, decision: ChannelDecision?, config: Config, today: CivilDate, catalogue: Catalogue) {
        let v = row.violation, time = config.time
        id = v.id ?? 0
        plate = row.vehicle.plate
        occurredAt = time.formatISO(v.occurredAt)
        code = v.code
        description = v.descriptionText
        category = v.category
        location = v.location
        points = v.points
        fineYuan = Money.yuanNumber(v.fineFen)
        recordNo = v.recordNo
        status = v.status.rawValue
        driver = row.driver?.ref
        attribution = v.attribution.rawValue
        needsReview = v.needsReview
        let attributionMessages = Message.decodeList(v.reasons)
        channel = v.status == .open ? decision?.channel.rawValue : (v.processedChannel?.rawValue ?? decision?.channel.rawValue)
        var channelMessages = v.status == .open ? decision?.reasons ?? [] : []
        if v.status != .open, let processedChannel = v.processedChannel, let processedAt = v.processedAt {
            channelMessages = [Message("channel.processed", ["channel": .term("channelDone", processedChannel.rawValue), "at": .time(processedAt)])]
        }
        attributionReasons = catalogue.render(attributionMessages, time: time)
        channelReasons = catalogue.render(channelMessages, time: time)
        reasons = attributionReasons + channelReasons
        reasonCodes = (attributionMessages + channelMessages).map(\.code)
        onlineFrom = decision?.onlineFrom?.description
        assignedBy = v.assignedBy
        assignReason = v.assignReason
        processedAt = v.processedAt.map(time.formatISO)
        processedChannel = v.processedChannel?.rawValue
        if let processed = v.processedAt {
            let fees = FeeRules(config)
            let processedDay = time.civilDate(of: processed)
            dueDate = fees.dueDate(processedOn: processedDay).description
            let fee = v.lateFeeFen ?? fees.lateFee(fineFen: v.fineFen, processedOn: processedDay, on: today)
            lateFeeYuan = Money.yuanNumber(fee)
            totalDueYuan = Money.yuanNumber(v.fineFen + fee)
        }
        paidAt = v.paidAt.map(time.formatISO)
        paidYuan = v.paidFen.map(Money.yuanNumber)
        payMethod = v.payMethod?.rawValue
        payer = v.payer?.rawValue
        lateFeeDifferenceYuan = FeeRules.difference(paidFen: v.paidFen, fineFen: v.fineFen, lateFeeFen: v.lateFeeFen).map(Money.yuanNumber)
        handedBackAt = v.handedBackAt.map(time.formatISO)
        handBackReason = v.handBackReason
        nextAction = NextAction.of(status: v.status, attribution: v.attribution, needsReview: v.needsReview, hasDriver: row.driver != nil,
                                   channel: decision?.channel, registrationMissing: decision?.registrationWouldHelp ?? false,
                                   dueDate: dueDate.flatMap { try? CivilDate(parsing: $0, field: "due") }, today: today).rawValue
    }
}

/// `violation process` and `violation pay`: the violation, warnings, and a registration now due for removal.
public struct ViolationOutcomeView: Encodable, Sendable {
    public var violation: ViolationView
    public var warnings: [String]
    public var removalDue: String?

    enum Keys: String, CodingKey { case warnings, removalDue }

    public func encode(to encoder: any Encoder) throws {
        try violation.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(removalDue, forKey: .removalDue)
    }
}

/// `violation import`: what was added and skipped.
public struct ImportView: Codable, Sendable {
    public var file: String
    public var dryRun: Bool
    public var records: Int
    public var added: Int
    public var skipped: Int
    public var needsReview: Int
    public var byAttribution: [String: Int]
    public var firstId: Int64?
    public var lastId: Int64?
    /// A dry run's first lines (at most 200) and whom each would go to; nil when the import was made.
    public var preview: [Line]?

    /// One line of a dry run: the record and its attribution (R2).
    public struct Line: Codable, Sendable {
        public var line: Int?
        public var plate: String
        public var occurredAt: String
        public var code: String
        public var driver: StaffRef?
        public var attribution: String
        public var needsReview: Bool
    }
}

/// `cleanup`: whether it changed anything, and one action per line.
public struct CleanupView: Codable, Sendable {
    public var dryRun: Bool
    public var actions: [CleanupActionView]
}

/// A cleanup action with the reminder to send, where there is someone to remind.
public struct CleanupActionView: Codable, Sendable {
    public var kind: String
    public var message: String
    public var ref: String?
    public var plate: String?
    public var staff: String?
    public var violationId: Int64?
    /// The bilingual SMS-length reminder: to the owner (removals) or the driver (fees).
    public var reminder: Reminder?
    /// What to type next on the command line, in the chosen language (not in `--json`: the contract's keys stay).
    public var cliHint: String?

    enum CodingKeys: String, CodingKey { case kind, message, ref, plate, staff, violationId, reminder }

    public struct Reminder: Codable, Sendable {
        public var to: String
        public var name: String
        public var phone: String?
        public var text: String
    }
}
