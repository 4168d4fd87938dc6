import DriverDeskCameraFile
import DriverDeskCore
internal import DriverDeskStore
import Foundation

extension Desk {
    /// The reference violation codes of `data/violation-codes.csv`.
    public func codeBook() throws -> ViolationCodeBook {
        try actor.check(.read)
        let url = try Resources.folder("data").appendingPathComponent("violation-codes.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw DeskError.storage(message: "cannot read \(url.path)")
        }
        return try ViolationCodeBook(records: CSVReader(text: text).records().map { ($0.line, $0.fields) })
    }

    /// Resolves a code's points, fine and category: the notice's figures when given, else the shop's override, else the reference.
    func resolve(plate: Plate, occurredAt: Date, code raw: String, points rawPoints: Int?, fineFen: Int?, book: ViolationCodeBook, config: Config,
                 description: String?, location: String?, recordNo: String?, line: Int? = nil) throws -> NewViolation {
        let code = raw.trimmingSpaces()
        guard (4...5).contains(code.count), code.allSatisfy({ $0.isNumber && $0.isASCII }) else {
            throw DeskError.invalid(field: "code", reason: Message("input.code.malformed", ["raw": .text(raw)]), line: line)
        }
        let day = config.time.civilDate(of: occurredAt)
        let entry = book.lookup(code, on: day)
        if entry == nil && (rawPoints == nil || fineFen == nil) {
            let reason = book.knows(code) ? Message("input.code.notValidOn", ["code": .text(code), "day": .day(day)]) : Message("input.code.unknown", ["code": .text(code)])
            throw DeskError.invalid(field: "code", reason: reason, line: line)
        }
        let fine = fineFen ?? config.fineOverride(code: code, plate: plate.text) ?? entry!.fineFen
        return NewViolation(plate: plate, occurredAt: occurredAt, code: code, description: description ?? entry?.descriptionZh,
                            category: entry?.category, location: location, points: rawPoints ?? entry!.points, fineFen: fine,
                            recordNo: recordNo, isParking: entry?.driverAbsent ?? false, line: line)
    }

    func view(_ row: ViolationRow, config: Config) throws -> ViolationView {
        try database.reading { tx in try view(row, config: config, in: tx) }
    }

    /// The same inside a use case's own transaction (a second transaction of its own would not see its change).
    func view(_ row: ViolationRow, config: Config, in tx: any ShopTransaction) throws -> ViolationView {
        let today = today(config)
        let decision = row.violation.status == .open ? try tx.channel(for: row, processingOn: today) : nil
        return ViolationView(row, decision: decision, config: config, today: today, catalogue: try catalogue(config))
    }

    /// `violation add`: recorded against the actual driver (R2), with its channel (R4).
    public func addViolation(plate: String, at: String, code: String, points: String?, fine: String?, location: String?, recordNo: String?) throws -> ViolationView {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            let plate = try Plate(plate)
            let occurredAt = try instant(at, field: "at", config: config)
            let new = try resolve(plate: plate, occurredAt: occurredAt, code: code,
                                  points: try points.map { try Money.points($0, field: "points") }, fineFen: try fine.map { try Money.fen($0, field: "fine") },
                                  book: try codeBook(), config: config, description: nil,
                                  location: try Fields.optionalText(location, field: "location", maxLength: 200),
                                  recordNo: try Fields.optionalText(recordNo, field: "record-no", maxLength: 60))
            return try view(try tx.addViolation(new, context: context, config: config), config: config, in: tx)
        }
    }

    /// `violation list [--status S]`.
    public func violationList(status: String?) throws -> [ViolationView] {
        try actor.check(.read)
        let config = try config()
        let status = try status.map { try ViolationStatus(parsing: $0) }
        let today = today(config)
        let catalogue = try catalogue(config)
        return try database.violations(status: status).map { row in
            let decision = row.violation.status == .open ? try database.channel(for: row, processingOn: today) : nil
            return ViolationView(row, decision: decision, config: config, today: today, catalogue: catalogue)
        }
    }

    /// `violation show ID`: due date, late fee and total as of now.
    /// The payments page: processed violations still to pay, and the 100 paid last.
    public func payments() throws -> (toPay: [ViolationView], paid: [ViolationView]) {
        try actor.check(.manage)
        return (try violationList(status: "processed"), Array(try violationList(status: "paid").prefix(100)))
    }

    public func showViolation(_ id: String) throws -> ViolationView {
        try actor.check(.read)
        let config = try config()
        return try view(try database.violation(try Desk.violationId(id)), config: config)
    }

    /// `violation assign ID --staff S --reason TEXT`.
    public func assignViolation(_ id: String, staff: String, reason: String) throws -> ViolationView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            guard let reason = try Fields.optionalText(reason, field: "reason", maxLength: 200) else {
                throw DeskError.invalid(field: "reason", reason: Message("input.assign.reason"))
            }
            return try view(try tx.assignViolation(try Desk.violationId(id), staff: staff, reason: reason, context: context), config: config, in: tx)
        }
    }

    /// `violation process ID [--window] [--at T]`.
    public func processViolation(_ id: String, window: Bool, at: String?) throws -> ViolationOutcomeView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let outcome = try tx.processViolation(try Desk.violationId(id), window: window, at: try instant(at, field: "at", config: config), context: context, config: config)
            return ViolationOutcomeView(violation: try view(outcome.row, config: config, in: tx), warnings: try catalogue(config).render(outcome.warnings, time: config.time), removalDue: outcome.removalDue)
        }
    }

    /// `violation pay ID --method M [--payer P] [--amount YUAN] [--at T]`.
    public func payViolation(_ id: String, method: String, payer: String?, amount: String?, at: String?) throws -> ViolationOutcomeView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let outcome = try tx.payViolation(
                try Desk.violationId(id), method: try PaymentMethod(parsing: method), payer: try payer.map { try Payer(parsing: $0) } ?? .shop,
                amountFen: try amount.map { try Money.fen($0, field: "amount") }, at: try instant(at, field: "at", config: config), context: context, config: config)
            return ViolationOutcomeView(violation: try view(outcome.row, config: config, in: tx), warnings: try catalogue(config).render(outcome.warnings, time: config.time), removalDue: outcome.removalDue)
        }
    }

    /// `cleanup [--dry-run]` (R9).
    public func cleanup(dryRun: Bool) throws -> CleanupView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let plan = try tx.cleanup(dryRun: dryRun, context: context, config: config)
            let templates = try? Templates.shipped()
            let words = try catalogue(config)
            let actions = plan.actions.map { action in
                var view = CleanupActionView(kind: action.kind.rawValue, message: words.render(action.message, time: config.time), ref: action.ref, plate: action.plate,
                                             staff: action.staff, violationId: action.violationId, reminder: nil,
                                             cliHint: words.hint(action.message, time: config.time))
                view.reminder = templates.flatMap { try? reminder(for: action, templates: $0, config: config, in: tx) }
                return view
            }
            return CleanupView(dryRun: dryRun, actions: actions)
        }
    }

    /// The text to send for an action: the owner is asked to remove a registration, the driver to pay.
    func reminder(for action: CleanupAction, templates: Templates, config: Config, in tx: any ShopTransaction) throws -> CleanupActionView.Reminder? {
        switch action.kind {
        case .removalDue, .removalReminder:
            guard let ref = action.ref else { return nil }
            let row = try tx.resolveRegistration(ref)
            let text = try templates.render("reminder-removal", [
                "shop": config.shopName, "owner": row.vehicle.ownerName, "staff": row.staff.name, "plate": row.vehicle.plate, "ref": ref, "both": true,
            ])
            return .init(to: "owner", name: row.vehicle.ownerName, phone: row.vehicle.ownerPhone, text: text.trimmingSpaces())
        case .feeDueSoon, .feeOverdue:
            guard let id = action.violationId else { return nil }
            let row = try tx.violationRow(try tx.fetchViolation(id))
            guard let driver = row.driver, let processedAt = row.violation.processedAt else { return nil }
            let fees = FeeRules(config)
            let processed = config.time.civilDate(of: processedAt)
            let fee = fees.lateFee(fineFen: row.violation.fineFen, processedOn: processed, on: today(config))
            let text = try templates.render("reminder-fee", [
                "shop": config.shopName, "staff": driver.name, "plate": row.vehicle.plate, "id": String(id),
                "fine": Money.yuan(row.violation.fineFen), "due": fees.dueDate(processedOn: processed).description,
                "overdue": action.kind == .feeOverdue, "lateFee": Money.yuan(fee), "total": Money.yuan(row.violation.fineFen + fee),
                "percent": String(fees.percentPerDay),
            ])
            return .init(to: "staff", name: driver.name, phone: driver.phone, text: text.trimmingSpaces())
        case .inviteExpired, .visitStale:
            return nil
        }
    }

    static func violationId(_ raw: String) throws -> Int64 {
        let text = raw.trimmingSpaces()
        guard let id = Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text), id > 0 else {
            throw DeskError.invalid(field: "id", reason: Message("input.violationNumber", ["raw": .text(raw)]))
        }
        return id
    }
}

extension Desk {
    /// `violation import FILE.csv [--dry-run]`: the whole file is checked first; any bad line imports nothing,
    /// every bad line is listed; copies already recorded are skipped.
    public func importViolations(file path: String, dryRun: Bool, progress: ((String) -> Void)? = nil) throws -> ImportView {
        try actor.check(.frontDesk)
        let config = try config()
        let words = try catalogue(config)
        var records = try ViolationFile.read(url: URL(fileURLWithPath: path), time: config.time, now: now) { count, bytes, total in
            progress?(words.render(Message("import.progressRead", ["records": .number(count), "percent": .number(bytes * 100 / max(total, 1))])))
        }
        return try importRecords(&records, source: (path as NSString).lastPathComponent, dryRun: dryRun, config: config, progress: progress)
    }

    /// The same for an upload from the web.
    public func importViolations(data: Data, name: String, dryRun: Bool) throws -> ImportView {
        try actor.check(.frontDesk)
        let config = try config()
        var records = try ViolationFile.read(data: data, time: config.time, now: now)
        return try importRecords(&records, source: name, dryRun: dryRun, config: config, progress: nil)
    }

    /// Empties `records` once they are resolved, to free them: 100,000 of them hold about 13 MB.
    func importRecords(_ records: inout [ViolationRecord], source: String, dryRun: Bool, config: Config, progress: ((String) -> Void)?) throws -> ImportView {
        let book = try codeBook()
        var list: [NewViolation] = []
        list.reserveCapacity(records.count)
        var errors: [DeskError] = []
        for record in records {
            do {
                list.append(try resolve(plate: record.plate, occurredAt: record.occurredAt, code: record.code, points: record.points, fineFen: record.fineFen,
                                        book: book, config: config, description: record.description, location: record.location,
                                        recordNo: record.recordNo, line: record.line))
            } catch let error as DeskError {
                errors.append(error.at(line: record.line))
            }
        }
        if !errors.isEmpty {
            throw ViolationFileErrors(errors: Array(errors.prefix(ViolationFile.listedErrors)), more: max(0, errors.count - ViolationFile.listedErrors),
                                      lines: Set(errors.compactMap { if case .invalid(_, _, let line) = $0 { return line } else { return nil } }).count)
        }
        let recordCount = records.count
        records = []
        let words = try catalogue(config)
        let report: (Int) -> Void = { done in progress?(words.render(Message("import.progressStored", ["done": .number(done), "total": .number(list.count)]))) }
        let (outcome, preview) = dryRun
            ? try database.dryRunImport(list, source: source, context: context)
            : (try database.importViolations(list, source: source, dryRun: false, context: context, progress: report), [])
        var view = ImportView(file: source, dryRun: dryRun, records: recordCount, added: outcome.added, skipped: outcome.skipped,
                              needsReview: outcome.needsReview, byAttribution: outcome.byAttribution, firstId: outcome.firstId, lastId: outcome.lastId)
        if dryRun {
            view.preview = preview.map { p in
                ImportView.Line(line: p.line, plate: p.plate, occurredAt: config.time.formatISO(p.occurredAt), code: p.code, driver: p.attribution.driver,
                                attribution: p.attribution.kind.rawValue, needsReview: p.attribution.needsReview)
            }
        }
        return view
    }
}
