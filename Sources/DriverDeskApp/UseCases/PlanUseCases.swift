import DriverDeskCore
internal import DriverDeskStore
import Foundation

/// A visit and its plan as the audit keeps them: the visit's own fields and `plan`.
struct PlannedVisitRecord: Encodable {
    var visit: Visit
    var plan: [MovementPurpose]

    enum Keys: String, CodingKey { case plan }

    func encode(to encoder: any Encoder) throws {
        try visit.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(plan, forKey: .plan)
    }
}

/// A car in the shop planned for a road test that no registered driver may take yet, and whom to invite first.
struct PlannedRoadTest {
    var fact: OpenVisitFact
    var plan: [MovementPurpose]
    var suggested: Staff?
}

extension ShopTransaction {
    /// Who is on shift today, as far as the shop knows (it keeps no roster): the staff who drove a car today (or are
    /// driving one), and those who logged in today with an account tied to them.
    func onShift(now: Date, config: Config) throws -> Set<Int64> {
        let start = config.time.start(of: config.time.civilDate(of: now))
        var ids = Set(try movements(MovementQuery(startBefore: now.addingTimeInterval(1), notEndedBefore: start)).map(\.span.staff.id))
        let logins = try auditEntries(AuditQuery(since: start, before: now.addingTimeInterval(1), action: "login")).filter { $0.action == "login" }
        guard !logins.isEmpty else { return ids }
        let names = Set(logins.map { $0.subject.hasPrefix("account ") ? String($0.subject.dropFirst("account ".count)).lowercased() : "" })
        for account in try accounts() where names.contains(account.name.lowercased()) {
            if let staffId = account.staffId { ids.insert(staffId) }
        }
        return ids
    }

    /// Every active staff member with his registrations (across the chain) and whether he is on shift: the facts the
    /// plan weighs, the same `register invite` reads for one of them.
    func planCandidates(now: Date, config: Config) throws -> [RegistrationPlan.Candidate] {
        let today = config.time.civilDate(of: now)
        let onShift = try onShift(now: now, config: config)
        return try allStaff().filter(\.active).map { staff in
            RegistrationPlan.Candidate(staff: staff, registrations: try registrationFacts(driver: staff, year: today.year, time: config.time),
                                       onShift: onShift.contains(staff.id!))
        }
    }

    /// R3 and R13 for a car and the purposes planned: who can be registered on it now, ranked, and who cannot be.
    func registrationPlan(vehicle: Vehicle, purposes: [MovementPurpose], now: Date, config: Config,
                          candidates: [RegistrationPlan.Candidate]? = nil) throws -> RegistrationPlan.Answer {
        RegistrationPlan.suggest(
            vehicle: vehicle, purposes: purposes, candidates: try candidates ?? planCandidates(now: now, config: config),
            vehicleRegistrations: try registrationFacts(vehicle: vehicle), today: config.time.civilDate(of: now),
            limits: RegistrationLimits(config), checkedPurposes: DrivingRules.checkedPurposes(config), time: config.time)
    }

    /// The cars in the shop planned for a road test with no active registration of a driver who may take it (R3,
    /// R13), each with the first driver the plan suggests.
    func plannedRoadTests(now: Date, config: Config) throws -> [PlannedRoadTest] {
        let open = try openVisits()
        let plans = try self.plans(visitIds: Set(open.compactMap(\.visit.id)))
        let planned = open.filter { plans[$0.visit.id!]?.contains(.roadTest) == true }
        guard !planned.isEmpty else { return [] }
        let day = config.time.civilDate(of: now)
        let checked = DrivingRules.checkedPurposes(config)
        var candidates: [RegistrationPlan.Candidate]?
        var result: [PlannedRoadTest] = []
        for fact in planned {
            guard let vehicle = try vehicle(plate: fact.plate) else { continue }
            let live = try rows(for: registrations(RegistrationQuery(vehicleId: vehicle.id!, liveOnly: true)))
            let needs = RegistrationPlan.needsDriver(purposes: plans[fact.visit.id!] ?? [], vehicle: vehicle,
                                                     registeredDrivers: live.map { ($0.staff, $0.registration.status) }, day: day, checkedPurposes: checked)
            guard needs else { continue }
            if candidates == nil { candidates = try planCandidates(now: now, config: config) }
            let answer = try registrationPlan(vehicle: vehicle, purposes: plans[fact.visit.id!] ?? [], now: now, config: config, candidates: candidates)
            result.append(PlannedRoadTest(fact: fact, plan: plans[fact.visit.id!] ?? [], suggested: answer.suggested.first?.staff))
        }
        return result
    }
}

extension ShopStore {
    /// The purposes each visit was checked in for, by visit.
    func plans(visitIds: Set<Int64>) throws -> [Int64: [MovementPurpose]] {
        try reading { tx in try tx.plans(visitIds: visitIds) }
    }

    /// Opens a visit with a plan, in a transaction of its own (the store's tests on both engines).
    func checkin(plate: Plate, at: Date, orderNo: String?, plan: [MovementPurpose], context: WriteContext) throws -> Visit {
        try writing { tx in try tx.checkin(plate: plate, at: at, orderNo: orderNo, plan: plan, context: context, config: tx.config()) }
    }

    /// Who can be registered on a car now for the purposes planned (R3, R13).
    func registrationPlan(plate: Plate, purposes: [MovementPurpose], now: Date) throws -> RegistrationPlan.Answer {
        try reading { tx in try tx.registrationPlan(vehicle: tx.resolveVehicle(plate), purposes: purposes, now: now, config: tx.config()) }
    }
}

/// A visit's plan as the audit keeps it when it is corrected.
struct PlanRecord: Encodable {
    var plan: [MovementPurpose]
}

extension ShopTransaction {
    /// `visit plan --plate P --plan X --reason R`: the plan of the car's open visit corrected (or cleared), with the
    /// reason in the audit.
    func changePlan(plate: Plate, purposes: [MovementPurpose], reason: String, context: WriteContext) throws -> Visit {
        let vehicle = try resolveVehicle(plate)
        let open = try openVisit(vehicleId: vehicle.id!)
        try CustodyRules.checkHasOpenVisit(plate: vehicle.plate, open: open != nil)
        let visit = open!
        let before = try plans(visitIds: [visit.id!])[visit.id!] ?? []
        try setPlan(visitId: visit.id!, purposes: purposes)
        try audit(context, action: "visit.plan", subject: "visit #\(visit.id!) \(vehicle.plate)",
                  before: Audit.json(PlanRecord(plan: before)), after: Audit.json(PlanRecord(plan: purposes), reason: reason))
        return visit
    }
}
