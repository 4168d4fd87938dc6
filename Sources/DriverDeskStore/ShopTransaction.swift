import DriverDeskCore
import Foundation

/// A shop's database, whichever engine holds it: SQLite (`AppDatabase`, one shop per file) or PostgreSQL
/// (`ChainShopStore`, one shop of a chain). The use cases (`CustodyStore.swift`, `StaffStore.swift`, …) are written
/// once, as extensions of this protocol: each reads the facts a rule needs through a `ShopTransaction`, asks the core,
/// and applies the decision with its audit entry in the same transaction. The two engines differ only in how facts
/// are read and changes applied.
public protocol ShopStore: Sendable {
    /// Runs one use case as one write transaction: committed when `body` returns, rolled back when it throws.
    /// Database failures become `DeskError.storage`.
    func writing<T>(_ body: (any ShopTransaction) throws -> T) throws -> T
    /// Reads a consistent snapshot.
    func reading<T>(_ body: (any ShopTransaction) throws -> T) throws -> T
    /// How this database is named in messages (a file path, or a chain's address without its password).
    var shownName: String { get }

    // What differs between the engines, as capabilities: nothing above the store tells one engine from the other.

    /// One shop of a chain's database (true), or a shop's own file.
    var isChain: Bool { get }
    /// How the shop learns that its data changed: a file's probe, or a chain's change notices.
    func changeSource() -> ShopChanges
    /// Copies the whole shop into a file; a chain is backed up with PostgreSQL's own tools (`.invalid`, naming them).
    func backup(to path: String, context: WriteContext) throws -> Int64
    /// Puts a backup in place of the shop's data; a chain is restored with PostgreSQL's own tools.
    func restore(from path: String, context: WriteContext) throws
    /// Closes the connections; the store cannot be used afterwards.
    func close() throws
}

/// How a shop's store tells that its data may have changed (`ShopStore.changeSource()`).
public enum ShopChanges: Sendable {
    /// A file's probe: this process's writes and SQLite's `data_version`.
    case probe(ChangeProbe)
    /// A chain's counters: this process's writes and the shop's change notices; nil when the notices cannot be had.
    case counters([ChangeCounter]?)
}

extension ShopStore {
    /// A chain's database is backed up and restored with PostgreSQL's own tools.
    static func ownTools(_ tool: String) -> DeskError {
        DeskError.invalid(field: "db", reason: Message("input.db.backupChain", ["tool": .text(tool)]))
    }
}

/// Which movements to read; every condition given must hold. Rows come by start (then id), oldest first unless
/// `newestFirst`.
public struct MovementQuery: Sendable, Hashable {
    public var vehicleId: Int64?
    public var staffId: Int64?
    public var visitId: Int64?
    /// startAt >= this.
    public var startFrom: Date?
    /// startAt < this.
    public var startBefore: Date?
    /// startAt <= this.
    public var startUpTo: Date?
    /// Still going, or ended at or after this.
    public var notEndedBefore: Date?
    /// Still going (no end).
    public var inProgress = false
    public var newestFirst = false
    public var limit: Int?

    public init(vehicleId: Int64? = nil, staffId: Int64? = nil, visitId: Int64? = nil, startFrom: Date? = nil, startBefore: Date? = nil,
                startUpTo: Date? = nil, notEndedBefore: Date? = nil, inProgress: Bool = false, newestFirst: Bool = false, limit: Int? = nil) {
        self.vehicleId = vehicleId
        self.staffId = staffId
        self.visitId = visitId
        self.startFrom = startFrom
        self.startBefore = startBefore
        self.startUpTo = startUpTo
        self.notEndedBefore = notEndedBefore
        self.inProgress = inProgress
        self.newestFirst = newestFirst
        self.limit = limit
    }
}

/// Which audit entries to read; every condition given must hold.
public struct AuditQuery: Sendable, Equatable {
    /// at >= this.
    public var since: Date?
    /// at < this.
    public var before: Date?
    /// The person: the operator is exactly this, or this with a staff member in brackets (`anna (张伟)`); compared
    /// without case.
    public var person: String?
    /// The action: exactly this, or an action under it (`violation` takes `violation.pay`).
    public var action: String?
    /// id < this: the entries older than one already read (a script's next page).
    public var beforeId: Int64?
    /// The newest this many.
    public var limit: Int?
    /// With a limit: skip the newest this many first (a page further back).
    public var offset: Int

    public init(since: Date? = nil, before: Date? = nil, person: String? = nil, action: String? = nil, beforeId: Int64? = nil,
                limit: Int? = nil, offset: Int = 0) {
        self.since = since
        self.before = before
        self.person = person
        self.action = action
        self.beforeId = beforeId
        self.limit = limit
        self.offset = offset
    }
}

/// Which registrations to read; every condition given must hold. Rows come newest invite first.
public struct RegistrationQuery: Sendable {
    public var ref: String?
    public var status: RegistrationStatus?
    public var vehicleId: Int64?
    public var staffId: Int64?
    /// Live (invited, active, due for removal) only.
    public var liveOnly = false
    /// Live, or activated in [start, end).
    public var liveOrActivatedIn: Range<Date>?

    public init(ref: String? = nil, status: RegistrationStatus? = nil, vehicleId: Int64? = nil, staffId: Int64? = nil, liveOnly: Bool = false,
                liveOrActivatedIn: Range<Date>? = nil) {
        self.ref = ref
        self.status = status
        self.vehicleId = vehicleId
        self.staffId = staffId
        self.liveOnly = liveOnly
        self.liveOrActivatedIn = liveOrActivatedIn
    }
}

/// A car in the shop now, as the status screen lists it.
public struct OpenVisitFact: Sendable {
    public var plate: String
    public var ownerName: String
    public var visit: Visit
}

/// A visit checked out with both odometer readings, and its car's plate: a candidate of the km check's list (R14).
public struct DrivenVisitFact: Sendable {
    public var plate: String
    public var visit: Visit
}

/// One transaction on one shop's data: the facts the use cases read, and the changes they apply.
///
/// Instants are whole seconds (as both schemas keep them). An insert fills in the new row's id. On a chain every read
/// and write is of the transaction's own shop (row-level security), except the facts a rule must know of a driver
/// across the chain (R3, R6), which `registrationFacts(driver:…)` and `points(driver:…)` gather.
public protocol ShopTransaction {
    // MARK: Settings
    func settings() throws -> [String: String]
    func setting(_ key: String) throws -> String?
    func putSetting(_ key: String, _ value: String) throws

    // MARK: Cars
    func vehicle(plate: String) throws -> Vehicle?
    func vehicles(ids: Set<Int64>) throws -> [Int64: Vehicle]
    /// Every car, or those whose plate holds `text`, by plate.
    func vehicles(plateContaining text: String?) throws -> [Vehicle]
    /// Plate of every car, by id.
    func plates() throws -> [Int64: String]
    func vehicleCount() throws -> Int
    func insert(_ vehicle: inout Vehicle) throws
    func update(_ vehicle: Vehicle) throws

    // MARK: Staff
    func staff(id: Int64) throws -> Staff?
    func staff(ids: Set<Int64>) throws -> [Int64: Staff]
    /// Those named exactly `name`, active first, then by id.
    func staff(named name: String) throws -> [Staff]
    /// Up to `limit` whose name holds `text` (case-insensitive).
    func staff(nameContaining text: String, limit: Int) throws -> [Staff]
    func staff(idNumber: String) throws -> Staff?
    /// Everyone, active first, then by name and id.
    func allStaff() throws -> [Staff]
    func activeStaffCount() throws -> Int
    /// Adds a staff member and fills in his id. On a chain, hires the person with this ID number: a new person of the
    /// chain, or one it knows when what was typed is its record of him (he keeps his history, R3 and R6); a record
    /// that differs writes nothing and says which typed fields differ.
    func insert(_ staff: inout Staff) throws -> StaffHiring
    /// Changes a staff member's phone and whether he is active (on a file, every column).
    func update(_ staff: Staff) throws
    /// Changes the person's name and licence to the staff member's: on a chain, the chain's record of him, which the
    /// database changes only while no other shop employs him, and audits in every shop that employs him or did.
    func correctPerson(_ staff: Staff, context: WriteContext) throws -> PersonCorrection

    // MARK: Visits
    func visit(id: Int64) throws -> Visit?
    /// The car's visits still open or checked out at or after `at`, by check-in.
    func visits(vehicleId: Int64, notEndedBefore at: Date) throws -> [Visit]
    func openVisit(vehicleId: Int64) throws -> Visit?
    /// The visit that covers `at`, if any (visits of a car never overlap).
    func visit(vehicleId: Int64, covering at: Date) throws -> Visit?
    /// The last visit checked in at or before `at`.
    func lastVisit(vehicleId: Int64, checkedInBy at: Date) throws -> Visit?
    /// The car's visits, newest first.
    func visits(vehicleId: Int64, limit: Int) throws -> [Visit]
    /// The cars in the shop now, by check-in.
    func openVisits() throws -> [OpenVisitFact]
    /// Visits still open that began before `before`, with their plates, by check-in.
    func openVisits(checkedInBefore before: Date) throws -> [CleanupFacts.OpenVisit]
    /// Visits checked out at or after `since` with both odometer readings and more than `beyondKm` km between them,
    /// newest check-out first, at most `limit`.
    func drivenVisits(checkedOutSince since: Date, beyondKm: Int, limit: Int) throws -> [DrivenVisitFact]
    func insert(_ visit: inout Visit) throws
    func update(_ visit: Visit) throws
    /// The purposes each visit was checked in for (`visit checkin --plan`), by visit; a visit without a plan is absent.
    func plans(visitIds: Set<Int64>) throws -> [Int64: [MovementPurpose]]
    /// Makes `purposes` a visit's plan, replacing the one it had.
    func setPlan(visitId: Int64, purposes: [MovementPurpose]) throws

    // MARK: Movements
    /// What "who drove" asks of a car by its plate (nil: no such car): the car, the shop's settings, the car's
    /// movements starting within `window` of `at` and the last one before them, and its last visit checked in by `at`.
    /// One statement on a chain, where each round trip costs more than the work; a default of several on SQLite.
    func custodyFacts(plate: String, at: Date, window: TimeInterval) throws -> CustodyFacts?
    func movements(_ query: MovementQuery) throws -> [MovementRow]
    func movementInProgress(vehicleId: Int64) throws -> Movement?
    func movementInProgress(staffId: Int64) throws -> Movement?
    func movementCount(startFrom: Date) throws -> Int
    /// The largest movement id (0 without any): how big the table is, for the import's choice of strategy.
    func lastMovementId() throws -> Int64
    func insert(_ movement: inout Movement) throws
    func update(_ movement: Movement) throws
    func movement(id: Int64) throws -> Movement?
    /// Moves a movement recorded by mistake out of the movements (and so out of R1 and R2) into the voided ones.
    func void(_ voided: VoidedMovement) throws
    /// Voided movements, newest start first.
    func voidedMovements(vehicleId: Int64?, staffId: Int64?, limit: Int?) throws -> [VoidedMovement]
    /// The driver's movements in the chain's other shops that overlap [start, end) (R1: one car at a time, whichever
    /// shop it is in); none on a shop of its own.
    func movementsElsewhere(driver: Staff, start: Date, end: Date?) throws -> [MovementSpan]

    // MARK: Registrations
    /// Holds the driver still until the transaction ends: two desks deciding on his limits (R3) at the same moment
    /// then decide one after the other. A shop's own SQLite file writes one transaction at a time already.
    func lockDriver(_ driver: Staff) throws
    func registrations(_ query: RegistrationQuery) throws -> [Registration]
    /// The registrations R3 counts for a driver: his live ones and those activated in [start, end), across the chain
    /// while this shop employs him. Another shop's come with its code as their plate, no reference, and their day of
    /// activation (its start in `time`'s zone) as their time.
    func registrationFacts(driver: Staff, activatedIn range: Range<Date>, time: ShopTime) throws -> [RegistrationFact]
    /// The driver's registration on the car: the live one, else the latest.
    func registration(vehicleId: Int64, staffId: Int64) throws -> Registration?
    func insert(_ registration: inout Registration) throws
    func update(_ registration: Registration) throws
    /// The live registrations with what cleanup decides on (R9), oldest invite first.
    func cleanupRegistrations() throws -> [CleanupFacts.Registration]

    // MARK: Violations
    func violation(id: Int64) throws -> Violation?
    /// Newest first, optionally of one status.
    func violations(status: ViolationStatus?, limit: Int?) throws -> [Violation]
    /// Processed ones, and open ones in the shop's custody: the most recent `limit`, and how many in all.
    func actionableViolations(limit: Int) throws -> (rows: [Violation], total: Int)
    func violationId(recordNo: String) throws -> Int64?
    func violationId(vehicleId: Int64, occurredAt: Date, code: String) throws -> Int64?
    /// Points of the driver's violations processed in [start, end), across the chain, leaving one violation out (R6).
    func points(driver: Staff, processedIn range: Range<Date>, excluding id: Int64?) throws -> Int
    /// Plates of the cars whose points the driver took since `since` (R5).
    func pointPlates(driverId: Int64, processedSince since: Date) throws -> Set<String>
    /// Names of the drivers who took the car's points since `since` (R5).
    func pointDrivers(vehicleId: Int64, processedSince since: Date) throws -> Set<String>
    /// How many of the driver's violations on the car are still unpaid, leaving one out (R8).
    func unpaidCount(vehicleId: Int64, driverId: Int64, excluding id: Int64) throws -> Int
    /// Processed fines not paid, processed at or before `processedBy`, oldest first (R9's reminders).
    func unpaidFines(processedBy: Date) throws -> [CleanupFacts.UnpaidFine]
    func insert(_ violation: inout Violation) throws
    func update(_ violation: Violation) throws
    /// The car's violations that happened in [from, to], oldest first: those a corrected movement may touch (R2).
    func violations(vehicleId: Int64, occurredFrom from: Date, to: Date) throws -> [Violation]

    // MARK: Imports
    /// What R2 needs of every record of an import, read in one pass (the same facts the per-record reads give; the
    /// use case decides), or nil when this engine reads them record by record.
    func importFacts(vehicleIds: [Int64], instants: [Date], plates: [Int64: String], config: Config) throws -> ((Int64, Date) -> AttributionFacts)?
    /// Runs `body` with a staging area for an import's rows, inside the import's transaction.
    func withImportStage<T>(_ body: (inout any ImportStage) throws -> T) throws -> T

    // MARK: Accounts
    /// The shop's accounts, by name.
    func accounts() throws -> [Account]
    /// The account of a login name, compared without case.
    func account(named name: String) throws -> Account?
    func account(id: Int64) throws -> Account?
    func insert(_ account: inout Account) throws
    /// Changes an account's password hash, whether it is active, its epoch and its staff member.
    func update(_ account: Account) throws

    // MARK: Audit
    func append(_ entry: AuditEntry) throws
    /// The entries the query asks for, oldest first (with a limit: the newest that many, after skipping `offset`).
    func auditEntries(_ query: AuditQuery) throws -> [AuditEntry]
    /// How many entries the query's conditions let through (its limit and offset aside).
    func auditCount(_ query: AuditQuery) throws -> Int
    /// Every operator the audit names, each once, in order.
    func auditOperators() throws -> [String]
    /// No staff, car or audit entry.
    func isEmpty() throws -> Bool
}

extension ShopTransaction {
    /// The shop's settings, defaults filled in.
    public func config() throws -> Config { Config(stored: try settings()) }

    /// Appends the audit entry of a change (R11), in the change's own transaction.
    public func audit(_ context: WriteContext, action: String, subject: String, before: String?, after: String?) throws {
        try append(AuditEntry(at: context.now, operator: context.operator, action: action, subject: subject, before: before, after: after))
    }
}

/// Where an import's rows wait, in file order, before they go into `violation` in one move.
public protocol ImportStage {
    /// Stages one row as an insert of `Violation(…)` would write it: status open, the reasons as a JSON array.
    mutating func append(_ new: NewViolation, vehicleId: Int64, attribution: Attribution, recordedAt: Int64) throws
    /// Moves the staged rows into `violation` in file order; copies already recorded (same record number, or plate,
    /// time and code) are skipped. `rowByRow` moves them one at a time (tests).
    mutating func move(rowByRow: Bool) throws -> ImportOutcome
}
