import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// The use cases the command line and the web share: they take what a person typed,
/// check it field by field, call one store transaction, and return a view. A front end gets one from
/// `Shop.desk(now:operator:)`; the store stays behind it.
public struct Desk: Sendable {
    /// The shop's database: a SQLite file, or one shop of a chain's PostgreSQL database.
    let database: any ShopStore
    /// The clock: `--now` or the real time, read once by the front end.
    public let now: Date
    public let operatorName: String
    /// The language a person chose (`--lang`, `$DRIVERDESK_LANG`, the web's switch); nil: the shop's `ui.language`.
    public let language: Language?
    /// Who asks: every use case checks first that his role covers it (`Actor.check`), before it reads or writes.
    public let actor: Actor

    init(database: any ShopStore, now: Date, operator operatorName: String, language: Language? = nil, actor: Actor = .administrator) {
        self.database = database
        self.now = now.wholeSeconds
        self.operatorName = operatorName
        self.language = language
        self.actor = actor
    }

    /// The language to speak: the person's choice, else the shop's.
    public func language(_ config: Config) -> Language {
        language ?? Language(rawValue: config.string(.uiLanguage)) ?? .zhHans
    }

    /// The catalogue reasons, refusals and the vocabulary are rendered with.
    public func catalogue(_ config: Config) throws -> Catalogue { try Catalogue.shipped(language(config)) }

    var context: WriteContext { WriteContext(operator: operatorName, now: now) }

    public func config() throws -> Config { try database.config() }

    /// A typed time, or now when none was typed; never in the future.
    func instant(_ raw: String?, field: String, config: Config) throws -> Date {
        guard let raw else { return now }
        let date = try config.time.parse(raw, field: field, now: now)
        try Fields.notInFuture(date, now: now, field: field, time: config.time)
        return date
    }

    func today(_ config: Config) -> CivilDate { config.time.civilDate(of: now) }

    // MARK: Shop and settings

    /// `init`: names the shop and its time zone.
    public func initialise(shopName: String?, timeZone: String?) throws -> [SettingView] {
        try actor.check(.manage)
        _ = try database.initialise(shopName: shopName, timeZone: timeZone, context: context)
        return try settings()
    }

    /// `config show`: every setting with what it means, in the person's language.
    public func settings() throws -> [SettingView] {
        try actor.check(.manage)
        let config = try config()
        let words = try catalogue(config)
        let fixed = Config.settings.map { Desk.settingView($0, config: config, words: words) }
        let fines = try config.fineOverrides.map { key, _ in Desk.settingView(try Config.setting(key), config: config, words: words) }
        return fixed + fines
    }

    /// `config set KEY VALUE`.
    public func setSetting(key: String, value: String) throws -> SettingView {
        try actor.check(.manage)
        let config = try database.setConfig(key: key, value: value, context: context)
        return Desk.settingView(try Config.setting(key), config: config, words: try catalogue(config))
    }

    /// `fine.京.1625`: "违法代码 1625 的罚款（京牌）".
    static func fineLabel(_ key: String, words: Catalogue) -> String {
        let parts = key.split(separator: ".").map(String.init)
        if parts.count == 3, let province = parts.dropLast().last, let code = parts.last {
            return words.render(Message("setting.fineProvinceLabel", ["code": .text(code), "province": .text(province)]))
        }
        return words.render(Message("setting.fineLabel", ["code": .text(parts.last ?? "")]))
    }

    static func settingView(_ setting: Setting, config: Config, words: Catalogue) -> SettingView {
        let value = config.value(setting.key)
        let fine = setting.key.hasPrefix("fine.")
        return SettingView(key: setting.key, value: value, defaultValue: setting.defaultValue, isDefault: fine ? false : config.isDefault(setting.key),
                           help: words.render(setting.help), valueText: Desk.shown(value, of: setting, words: words),
                           label: fine ? Desk.fineLabel(setting.key, words: words) : words.term("setting", setting.key), group: setting.group.rawValue,
                           unit: setting.unit.map { words.term("unit", $0.rawValue) }, rule: setting.rule)
    }

    /// A list of options in the person's words (`road-test,parking` is 路试、停车), or nil when the value reads as typed.
    static func shown(_ value: String, of setting: Setting, words: Catalogue) -> String? {
        guard case .choices(_, let term) = setting.kind else { return nil }
        let items = value.split(separator: ",").map { words.term(term, String($0)) }
        return words.render(Message("setting.list", ["items": .names(items)]))
    }

    // MARK: Staff

    /// `staff add`: every field checked before anything is written.
    public func addStaff(name: String, idNumber: String, licenseClass: String, licenseFirstIssued: String,
                         licenseValidUntil: String, phone: String?) throws -> StaffView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            let new = NewStaff(
                name: try Fields.name(name, field: "name"),
                idNumber: try IDNumber(idNumber),
                licenseClass: try LicenseClass(parsing: licenseClass),
                licenseFirstIssued: try CivilDate(parsing: licenseFirstIssued, field: "license-first-issued"),
                licenseValidUntil: try CivilDate(parsing: licenseValidUntil, field: "license-valid-until"),
                phone: try Fields.phone(phone, field: "phone"))
            try Fields.licenceDates(firstIssued: new.licenseFirstIssued, validUntil: new.licenseValidUntil, born: new.idNumber.birthDate, today: today(config))
            let staff = try tx.addStaff(new, context: context)
            return StaffView(staff, today: today(config), time: config.time)
        }
    }

    /// `staff list`: ID numbers masked.
    public func staffList() throws -> [StaffView] {
        try actor.check(.read)
        let config = try config()
        return try database.staffList().map { try staffView($0, config: config) }
    }

    /// A staff view with the points of his current scoring cycle (R6).
    func staffView(_ staff: Staff, whole: Bool = false, config: Config) throws -> StaffView {
        try database.reading { tx in try staffView(staff, whole: whole, config: config, in: tx) }
    }

    /// The same inside a use case's own transaction.
    func staffView(_ staff: Staff, whole: Bool = false, config: Config, in tx: any ShopTransaction) throws -> StaffView {
        var view = StaffView(staff, whole: whole, today: today(config), time: config.time)
        let cycle = try tx.pointsInCycle(staff: staff, on: today(config), config: config)
        view.pointsThisCycle = cycle.points
        view.cycleStart = cycle.start.description
        view.cycleEnd = cycle.end.description
        view.pointsRemaining = max(0, config.int(.scoringCycleMax) - cycle.points)
        view.mayNotDrive = try DrivingRules.mayNotDrive(staff, on: today(config)).map { try catalogue(config).render($0, time: config.time) }
        return view
    }

    /// `staff show`: the one place the whole ID number appears (R12).
    public func showStaff(_ key: String) throws -> StaffDetailView {
        try actor.check(.read)
        let config = try config()
        let staff = try database.staff(key)
        let movements = try database.movements(MovementFilter(staffId: staff.id, limit: 20))
        let slots = try database.slots(staffId: staff.id!, on: today(config))
        return StaffDetailView(staff: try staffView(staff, whole: true, config: config),
                               movements: movements.map { MovementView($0, time: config.time) },
                               registrations: try database.registrations(staffId: staff.id).map { RegistrationView($0, config: config) },
                               slots: slots, slotsText: try catalogue(config).slots(slots))
    }

    /// A staff member's registration slots on a day (R3), for the staff list.
    public func slots(staffId: Int64, on day: CivilDate) throws -> SlotSummary {
        try actor.check(.read)
        return try database.slots(staffId: staffId, on: day)
    }

    /// `staff deactivate`.
    public func deactivateStaff(_ key: String) throws -> StaffView {
        try actor.check(.manage)
        return try database.writing { tx in
            let config = try tx.config()
            return StaffView(try tx.deactivateStaff(key, context: context), today: today(config), time: config.time)
        }
    }

    // MARK: Vehicles

    /// `vehicle add`.
    public func addVehicle(plate: String, owner: String, ownerPhone: String?, engineLast6: String?, usage: String?, size: String?) throws -> VehicleView {
        try actor.check(.frontDesk)
        return try database.writing { tx in
            let config = try tx.config()
            let usageValue = try usage.map { try VehicleUsage(parsing: $0) } ?? .private
            let sizeValue = try size.map { try VehicleSize(parsing: $0) } ?? .small
            let new = NewVehicle(
                plate: try Plate(plate), ownerName: try Fields.name(owner, field: "owner", maxLength: 80),
                ownerPhone: try Fields.phone(ownerPhone, field: "owner-phone"), engineLast6: try Fields.engineLast6(engineLast6),
                usage: usageValue, size: sizeValue)
            return VehicleView(try tx.addVehicle(new, context: context), inShop: false, time: config.time)
        }
    }

    /// `vehicle list`.
    public func vehicleList() throws -> [VehicleView] {
        try actor.check(.read)
        let config = try config()
        let inShop = try database.platesInShop()
        return try database.vehicles().map { VehicleView($0, inShop: inShop.contains($0.plate), time: config.time) }
    }

    /// `vehicle show`: the car, its visits and movements.
    public func showVehicle(_ plate: String) throws -> VehicleDetailView {
        try actor.check(.read)
        let config = try config()
        let vehicle = try database.vehicle(try Plate(plate))
        let visits = try database.visits(vehicleId: vehicle.id!)
        let movements = try database.movements(MovementFilter(vehicleId: vehicle.id, limit: 50))
        let registrations = try database.registrations(vehicleId: vehicle.id)
        let plans = try database.plans(visitIds: Set(visits.compactMap(\.id)))
        return VehicleDetailView(
            vehicle: VehicleView(vehicle, inShop: visits.first?.checkoutAt == nil && !visits.isEmpty, time: config.time),
            visits: visits.map { VisitView($0, plate: vehicle.plate, time: config.time, plan: plans[$0.id ?? 0] ?? []) },
            movements: movements.map { MovementView($0, time: config.time) },
            registrations: registrations.map { RegistrationView($0, config: config) },
            drivers: registrations.filter { $0.registration.status.isLive }.count,
            driversLimit: config.int(.limitsDriversPerVehicle))
    }

    // MARK: Visits and movements

    /// `visit checkin [--odometer KM] [--fuel 0-100]`.
    public func checkin(plate: String, at: String?, orderNo: String?, odometer: String? = nil, fuel: String? = nil) throws -> VisitView {
        try checkin(plate: plate, at: at, orderNo: orderNo, plan: [], odometer: odometer, fuel: fuel).visit
    }

    /// `visit checkin --plan P`: the visit with its plan and, with a plan, who can be registered on the car now,
    /// ranked (R3, R13), all in the check-in's one transaction.
    public func checkin(plate: String, at: String?, orderNo: String?, plan: [String], odometer: String? = nil, fuel: String? = nil) throws -> CheckinView {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        let order = try Fields.optionalText(orderNo, field: "order", maxLength: 40)
        let purposes = try RegistrationPlan.purposes(plan)
        let km = try CustodyReportRules.odometer(odometer), gauge = try CustodyReportRules.fuel(fuel)
        return try database.writing { tx in
            let config = try tx.config()
            let visit = try tx.checkin(plate: plate, at: try instant(at, field: "at", config: config), orderNo: order, plan: purposes, odometer: km, fuel: gauge,
                                       context: context, config: config)
            let view = VisitView(visit, plate: plate.text, time: config.time, plan: purposes)
            guard !purposes.isEmpty else { return CheckinView(visit: view, answer: nil) }
            let answer = try tx.registrationPlan(vehicle: tx.resolveVehicle(plate), purposes: purposes, now: now, config: config)
            return CheckinView(visit: view, answer: PlanView(plate: plate.text, answer: answer, catalogue: try catalogue(config), time: config.time))
        }
    }

    /// The invite made from a check-in's plan while the owner waits: of `staff`, or of the first driver the plan
    /// suggests. A staff member the plan cannot register (R3, R13) is refused with its reasons, as is a car on which
    /// nobody can be registered; otherwise it is `register invite`'s use case, in the same one transaction.
    public func planInvite(plate: String, staff: String?) throws -> (view: InviteView, document: InviteDocument) {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        return try database.writing { tx in try planInvite(plate: plate, staff: staff, in: tx, config: try tx.config()) }
    }

    /// `visit checkin --plan P --invite` (or `--staff S`): the check-in, its answer and the invite in one transaction,
    /// so that an invite the plan refuses leaves nothing written (exit 1), the check-in included.
    public func checkinAndInvite(plate: String, at: String?, orderNo: String?, plan: [String], staff: String?, odometer: String? = nil,
                                 fuel: String? = nil) throws -> (checkin: CheckinView, document: InviteDocument) {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        let order = try Fields.optionalText(orderNo, field: "order", maxLength: 40)
        let purposes = try RegistrationPlan.purposes(plan)
        let km = try CustodyReportRules.odometer(odometer), gauge = try CustodyReportRules.fuel(fuel)
        return try database.writing { tx in
            let config = try tx.config()
            let visit = try tx.checkin(plate: plate, at: try instant(at, field: "at", config: config), orderNo: order, plan: purposes, odometer: km, fuel: gauge,
                                       context: context, config: config)
            let answer = try tx.registrationPlan(vehicle: tx.resolveVehicle(plate), purposes: purposes, now: now, config: config)
            var view = CheckinView(visit: VisitView(visit, plate: plate.text, time: config.time, plan: purposes),
                                   answer: PlanView(plate: plate.text, answer: answer, catalogue: try catalogue(config), time: config.time))
            let made = try planInvite(plate: plate, staff: staff, in: tx, config: config)
            view.inviteAsked = true
            view.invite = made.view
            return (view, made.document)
        }
    }

    /// The invite of the plan's `staff` (or its first suggested driver) in the caller's transaction.
    func planInvite(plate: Plate, staff: String?, in tx: any ShopTransaction, config: Config) throws -> (view: InviteView, document: InviteDocument) {
        let vehicle = try tx.resolveVehicle(plate)
        let open = try tx.openVisit(vehicleId: vehicle.id!)
        try CustodyRules.checkHasOpenVisit(plate: vehicle.plate, open: open != nil)
        let answer = try tx.registrationPlan(vehicle: vehicle, purposes: try tx.plans(visitIds: [open!.id!])[open!.id!] ?? [], now: now, config: config)
        let chosen: Staff
        if let staff {
            chosen = try tx.resolveStaff(staff)
            if let refusal = answer.cannotRegister.first(where: { $0.staff.id == chosen.id }) {
                throw DeskError.refusedWith(rule: refusal.rules.joined(separator: ", "), reasons: refusal.reasons)
            }
        } else {
            guard let first = answer.suggested.first?.staff else {
                throw DeskError.refusedWith(rule: "R3", reasons: [Message("plan.nobodyToInvite", ["plate": .text(vehicle.plate)])])
            }
            chosen = first
        }
        return try invite(plate: plate, staff: String(chosen.id!), method: nil, in: tx, config: config)
    }

    /// `visit plan --plate P --plan X --reason R` (`--clear`: no plan): the plan of the car's open visit corrected,
    /// with the answer for the new plan.
    public func changePlan(plate: String, plan: [String], reason: String?) throws -> CheckinView {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        let purposes = try RegistrationPlan.purposes(plan)
        let reason = try CorrectionRules.reason(reason)
        return try database.writing { tx in
            let config = try tx.config()
            let visit = try tx.changePlan(plate: plate, purposes: purposes, reason: reason, context: context)
            let view = VisitView(visit, plate: plate.text, time: config.time, plan: purposes)
            guard !purposes.isEmpty else { return CheckinView(visit: view, answer: nil) }
            let answer = try tx.registrationPlan(vehicle: tx.resolveVehicle(plate), purposes: purposes, now: now, config: config)
            return CheckinView(visit: view, answer: PlanView(plate: plate.text, answer: answer, catalogue: try catalogue(config), time: config.time))
        }
    }

    /// The plan of the car's visit in the shop and who can be registered on it now (the web's answer page, the
    /// dashboard's link): R3 and R13 for the purposes it was checked in for.
    public func registrationPlan(plate: String) throws -> PlanView {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        return try database.reading { tx in
            let config = try tx.config()
            let vehicle = try tx.resolveVehicle(plate)
            let open = try tx.openVisit(vehicleId: vehicle.id!)
            try CustodyRules.checkHasOpenVisit(plate: vehicle.plate, open: open != nil)
            let purposes = try tx.plans(visitIds: [open!.id!])[open!.id!] ?? []
            let answer = try tx.registrationPlan(vehicle: vehicle, purposes: purposes, now: now, config: config)
            return PlanView(plate: vehicle.plate, answer: answer, catalogue: try catalogue(config), time: config.time)
        }
    }

    /// `visit checkout [--odometer KM] [--fuel 0-100]`.
    public func checkout(plate: String, at: String?, odometer: String? = nil, fuel: String? = nil) throws -> VisitView {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        let km = try CustodyReportRules.odometer(odometer), gauge = try CustodyReportRules.fuel(fuel)
        return try database.writing { tx in
            let config = try tx.config()
            let visit = try tx.checkout(plate: plate, at: try instant(at, field: "at", config: config), odometer: km, fuel: gauge,
                                        context: context, config: config)
            return VisitView(visit, plate: plate.text, time: config.time, plan: try tx.plans(visitIds: [visit.id!])[visit.id!] ?? [])
        }
    }

    /// `move start`.
    public func startMovement(plate: String, staff: String, purpose: String?, at: String?) throws -> MovementView {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        let purpose = try purpose.map { try MovementPurpose(parsing: $0) } ?? .other
        return try database.writing { tx in
            let config = try tx.config()
            let row = try tx.startMovement(plate: plate, staff: staff, purpose: purpose, at: try instant(at, field: "at", config: config), context: context, config: config)
            var view = MovementView(row, time: config.time)
            view.warnings = try catalogue(config).render(row.warnings, time: config.time)
            return view
        }
    }

    /// `move end`.
    public func endMovement(plate: String, at: String?) throws -> MovementView {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        return try database.writing { tx in
            let config = try tx.config()
            let row = try tx.endMovement(plate: plate, at: try instant(at, field: "at", config: config), context: context, config: config)
            return MovementView(row, time: config.time)
        }
    }

    /// `move log`: a movement that has already ended.
    public func logMovement(plate: String, staff: String, from: String, to: String, purpose: String?) throws -> MovementView {
        try actor.check(.frontDesk)
        let plate = try Plate(plate)
        let purpose = try purpose.map { try MovementPurpose(parsing: $0) } ?? .other
        return try database.writing { tx in
            let config = try tx.config()
            let row = try tx.logMovement(plate: plate, staff: staff, purpose: purpose, from: try instant(from, field: "from", config: config),
                                         to: try instant(to, field: "to", config: config), context: context, config: config)
            var view = MovementView(row, time: config.time)
            view.warnings = try catalogue(config).render(row.warnings, time: config.time)
            return view
        }
    }

    /// `move list`.
    public func movements(plate: String?, staff: String?, from: String?, to: String?, limit: Int? = nil, voided: Bool = false) throws -> [MovementView] {
        try actor.check(.read)
        let config = try config()
        var filter = MovementFilter(limit: limit)
        if let plate { filter.vehicleId = try database.vehicle(try Plate(plate)).id }
        if let staff { filter.staffId = try database.staff(staff).id }
        if let from { filter.from = try config.time.parse(from, field: "from", now: now, dateOnly: true) }
        if let to {
            var end = try config.time.parse(to, field: "to", now: now, dateOnly: true)
            if !to.contains(":") { end = config.time.start(of: config.time.civilDate(of: end).adding(days: 1)).addingTimeInterval(-1) }
            filter.to = end
        }
        if let from = filter.from, let to = filter.to, to < from {
            throw DeskError.invalid(field: "to", reason: Message("input.range.endBeforeStart"))
        }
        let live = try database.movements(filter).map { MovementView($0, time: config.time) }
        guard voided else { return live }
        let all = (live + (try voidedMovementViews(filter, config: config))).sorted { ($0.startAt, $0.id) > ($1.startAt, $1.id) }
        return limit.map { Array(all.prefix($0)) } ?? all
    }

    /// `who`: R2 for a plate at a time. Not limited to the past: a camera time is what the notice says.
    public func who(plate: String, at: String, parking: Bool = false) throws -> WhoView {
        try actor.check(.read)
        let config = try config()
        let instant = try config.time.parse(at, field: "at", now: now)
        let (vehicle, attribution) = try database.attribution(plate: try Plate(plate), at: instant, isParking: parking)
        return WhoView(plate: vehicle.plate, at: instant, attribution: attribution, time: config.time, catalogue: try catalogue(config))
    }

    // MARK: Status

    /// `status`: cars in the shop, who is driving, visits gone stale.
    public func status() throws -> StatusView {
        try actor.check(.read)
        let config = try config()
        // The snapshot and the cars planned for a road test in one read, with the settings already read.
        let (snapshot, plannedFacts) = try database.reading { tx in (try tx.status(now: now, config: config), try tx.plannedRoadTests(now: now, config: config)) }
        let cars = snapshot.carsInShop.map { car in
            CarInShopView(plate: car.plate, owner: car.ownerName, visitId: car.visitId, since: config.time.formatISO(car.checkinAt),
                          orderNo: car.orderNo, driver: car.driving?.staff, drivingSince: car.driving.map { config.time.formatISO($0.start) },
                          purpose: car.driving?.purpose.rawValue)
        }
        let stale = zip(snapshot.carsInShop, cars).filter {
            VisitRules.isStale(checkinAt: $0.0.checkinAt, now: now, staleDays: config.visitStaleDays, time: config.time)
        }.map(\.1)
        var groups: [String: [ViolationSummary]] = [:]
        let actionable = try database.actionableViolations()
        for row in actionable.rows {
            let view = try view(row, config: config)
            guard view.nextAction != NextAction.none.rawValue else { continue }
            groups[view.nextAction, default: []].append(ViolationSummary(
                id: view.id, plate: view.plate, occurredAt: view.occurredAt, code: view.code, points: view.points, fineYuan: view.fineYuan,
                driver: view.driver, totalDueYuan: view.totalDueYuan, dueDate: view.dueDate))
        }
        let removals = try database.registrations(status: .removalDue).filter { ($0.registration.removalDueAt ?? now) <= now }.map {
            RegistrationSummary(ref: $0.registration.ref, plate: $0.vehicle.plate, staff: $0.staff.ref, removalDueAt: $0.registration.removalDueAt.map(config.time.formatISO))
        }
        let planned = plannedFacts.map { p in
            PlannedRoadTestView(plate: p.fact.plate, owner: p.fact.ownerName, visitId: p.fact.visit.id!, since: config.time.formatISO(p.fact.visit.checkinAt),
                                plan: p.plan.map(\.rawValue), suggestedDriver: p.suggested?.ref)
        }
        return StatusView(shop: config.shopName, now: config.time.formatISO(now), carsInShop: cars,
                          driving: cars.filter { $0.driver != nil }, staleVisits: stale,
                          activeStaff: snapshot.activeStaff, vehicles: snapshot.vehicles, movementsToday: snapshot.movementsToday,
                          violations: groups, removalsDue: removals, violationsNotShown: actionable.total - actionable.rows.count,
                          plannedRoadTests: planned, unexplainedKm: try unexplainedKm(config: config))
    }
}

extension Desk {
    /// `backup FILE`.
    public func backup(to path: String) throws -> BackupView {
        try actor.check(.manage)
        let size = try database.backup(to: path, context: context)
        return BackupView(file: path, bytes: size, at: try config().time.formatISO(now))
    }

    /// `restore FILE`.
    public func restore(from path: String) throws -> BackupView {
        try actor.check(.manage)
        try database.restore(from: path, context: context)
        return BackupView(file: path, bytes: (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0, at: try config().time.formatISO(now))
    }
}


/// What `backup` and `restore` did.
public struct BackupView: Codable, Sendable {
    public var file: String
    public var bytes: Int64
    public var at: String
}
