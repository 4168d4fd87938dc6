import GRDB

extension AppDatabase {
    /// Named migrations: never edit one that has shipped; add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 foundation") { db in
            try db.execute(sql: """
                CREATE TABLE setting (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) STRICT;

                CREATE TABLE staff (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
                    idNumber TEXT NOT NULL UNIQUE CHECK (length(idNumber) = 18),
                    licenseClass TEXT NOT NULL CHECK (licenseClass IN ('A1','A2','A3','B1','B2','C1','C2','C3','C4','C5','C6','D','E','F','M','N','P')),
                    licenseFirstIssued TEXT NOT NULL CHECK (licenseFirstIssued GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                    licenseValidUntil TEXT NOT NULL CHECK (licenseValidUntil GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
                    phone TEXT,
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    createdAt INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE vehicle (
                    id INTEGER PRIMARY KEY,
                    plate TEXT NOT NULL UNIQUE CHECK (length(plate) BETWEEN 7 AND 8),
                    ownerName TEXT NOT NULL CHECK (length(ownerName) BETWEEN 1 AND 80),
                    ownerPhone TEXT,
                    engineLast6 TEXT CHECK (engineLast6 IS NULL OR length(engineLast6) = 6),
                    usage TEXT NOT NULL DEFAULT 'private' CHECK (usage IN ('private', 'commercial')),
                    size TEXT NOT NULL DEFAULT 'small' CHECK (size IN ('small', 'large')),
                    createdAt INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE visit (
                    id INTEGER PRIMARY KEY,
                    vehicleId INTEGER NOT NULL REFERENCES vehicle(id),
                    checkinAt INTEGER NOT NULL,
                    checkoutAt INTEGER,
                    orderNo TEXT,
                    CHECK (checkoutAt IS NULL OR checkoutAt > checkinAt)
                ) STRICT;
                CREATE UNIQUE INDEX visit_one_open_per_vehicle ON visit(vehicleId) WHERE checkoutAt IS NULL;
                CREATE INDEX visit_by_vehicle ON visit(vehicleId, checkinAt);

                CREATE TABLE movement (
                    id INTEGER PRIMARY KEY,
                    visitId INTEGER NOT NULL REFERENCES visit(id),
                    vehicleId INTEGER NOT NULL REFERENCES vehicle(id),
                    staffId INTEGER NOT NULL REFERENCES staff(id),
                    startAt INTEGER NOT NULL,
                    endAt INTEGER,
                    purpose TEXT NOT NULL CHECK (purpose IN ('road-test', 'parking', 'delivery', 'pickup', 'other')),
                    CHECK (endAt IS NULL OR endAt > startAt)
                ) STRICT;
                CREATE UNIQUE INDEX movement_one_open_per_vehicle ON movement(vehicleId) WHERE endAt IS NULL;
                CREATE UNIQUE INDEX movement_one_open_per_staff ON movement(staffId) WHERE endAt IS NULL;
                CREATE INDEX movement_by_vehicle ON movement(vehicleId, startAt);
                CREATE INDEX movement_by_staff ON movement(staffId, startAt);
                CREATE INDEX movement_by_visit ON movement(visitId);
                CREATE INDEX movement_by_start ON movement(startAt);

                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    operator TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    before TEXT,
                    after TEXT
                ) STRICT;
                CREATE INDEX audit_by_time ON audit(at);
                CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
                CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
                """)
        }
        migrator.registerMigration("v2 registrations") { db in
            try db.execute(sql: """
                CREATE TABLE registration (
                    id INTEGER PRIMARY KEY,
                    ref TEXT NOT NULL UNIQUE CHECK (ref GLOB 'INV-[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]-[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]'),
                    vehicleId INTEGER NOT NULL REFERENCES vehicle(id),
                    staffId INTEGER NOT NULL REFERENCES staff(id),
                    method TEXT NOT NULL CHECK (method IN ('qr', 'sms', 'window')),
                    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'removalDue', 'removed', 'expired', 'cancelled')),
                    invitedAt INTEGER NOT NULL,
                    activatedAt INTEGER,
                    removalDueAt INTEGER,
                    removedAt INTEGER,
                    expiredAt INTEGER,
                    cancelledAt INTEGER,
                    CHECK (status = 'invited' OR activatedAt IS NOT NULL OR status IN ('expired', 'cancelled')),
                    CHECK (activatedAt IS NULL OR activatedAt >= invitedAt)
                ) STRICT;
                CREATE UNIQUE INDEX registration_one_live_per_pair ON registration(vehicleId, staffId)
                    WHERE status IN ('invited', 'active', 'removalDue');
                CREATE INDEX registration_by_staff ON registration(staffId, activatedAt);
                CREATE INDEX registration_by_vehicle ON registration(vehicleId, status);
                CREATE INDEX registration_by_status ON registration(status, invitedAt);
                """)
        }
        migrator.registerMigration("v3 violations") { db in
            try db.execute(sql: """
                CREATE TABLE violation (
                    id INTEGER PRIMARY KEY,
                    vehicleId INTEGER NOT NULL REFERENCES vehicle(id),
                    occurredAt INTEGER NOT NULL,
                    code TEXT NOT NULL CHECK (length(code) BETWEEN 4 AND 5),
                    descriptionText TEXT,
                    category TEXT,
                    location TEXT,
                    points INTEGER NOT NULL CHECK (points IN (0, 1, 3, 6, 9, 12)),
                    fineFen INTEGER NOT NULL CHECK (fineFen >= 0),
                    recordNo TEXT,
                    status TEXT NOT NULL CHECK (status IN ('open', 'processed', 'paid', 'void')),
                    driverId INTEGER REFERENCES staff(id),
                    attribution TEXT NOT NULL CHECK (attribution IN ('movement', 'parked', 'manual', 'outsideCustody', 'unattributed')),
                    needsReview INTEGER NOT NULL CHECK (needsReview IN (0, 1)),
                    reasons TEXT NOT NULL,
                    movementId INTEGER,
                    assignedBy TEXT,
                    assignReason TEXT,
                    assignedAt INTEGER,
                    processedAt INTEGER,
                    processedChannel TEXT CHECK (processedChannel IN ('online', 'window')),
                    paidAt INTEGER,
                    paidFen INTEGER CHECK (paidFen >= 0),
                    lateFeeFen INTEGER CHECK (lateFeeFen >= 0),
                    payMethod TEXT CHECK (payMethod IN ('wechat', 'alipay', 'bank-card', 'cash')),
                    payer TEXT CHECK (payer IN ('shop', 'driver', 'owner')),
                    recordedAt INTEGER NOT NULL,
                    CHECK (status = 'open' OR status = 'void' OR (processedAt IS NOT NULL AND driverId IS NOT NULL)),
                    CHECK (status <> 'paid' OR paidAt IS NOT NULL)
                ) STRICT;
                CREATE UNIQUE INDEX violation_by_record_no ON violation(recordNo) WHERE recordNo IS NOT NULL;
                CREATE UNIQUE INDEX violation_identity ON violation(vehicleId, occurredAt, code);
                CREATE INDEX violation_by_driver ON violation(driverId, processedAt);
                CREATE INDEX violation_by_status ON violation(status, processedAt);
                CREATE INDEX violation_by_occurred ON violation(occurredAt);
                """)
        }
        migrator.registerMigration("v4 violation lookups") { db in
            // Cleanup asks, per registration, whether its driver owes anything on its car.
            try db.execute(sql: "CREATE INDEX violation_by_vehicle_driver ON violation(vehicleId, driverId, status)")
        }
        migrator.registerMigration("v5 accounts") { db in
            // The web front desk's accounts: only the slow salted hash of a password; `epoch` goes up with every new
            // password and when the account is disabled, which ends the sessions made before.
            try db.execute(sql: """
                CREATE TABLE account (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 32),
                    role TEXT NOT NULL CHECK (role IN ('desk', 'manager', 'chain')),
                    staffId INTEGER REFERENCES staff(id),
                    passwordHash TEXT NOT NULL CHECK (passwordHash LIKE '$%'),
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    epoch INTEGER NOT NULL DEFAULT 1 CHECK (epoch >= 1),
                    createdAt INTEGER NOT NULL
                ) STRICT;
                """)
        }
        migrator.registerMigration("v6 corrections") { db in
            // A violation outside the shop's custody can be handed back to the owner (status handedBack, with when and
            // why): SQLite changes a CHECK only by building the table anew. A voided movement leaves `movement` (and
            // so R1 and R2) for `movementVoid`, with who voided it, when and why.
            try db.execute(sql: """
                CREATE TABLE violation_new (
                    id INTEGER PRIMARY KEY,
                    vehicleId INTEGER NOT NULL REFERENCES vehicle(id),
                    occurredAt INTEGER NOT NULL,
                    code TEXT NOT NULL CHECK (length(code) BETWEEN 4 AND 5),
                    descriptionText TEXT,
                    category TEXT,
                    location TEXT,
                    points INTEGER NOT NULL CHECK (points IN (0, 1, 3, 6, 9, 12)),
                    fineFen INTEGER NOT NULL CHECK (fineFen >= 0),
                    recordNo TEXT,
                    status TEXT NOT NULL CHECK (status IN ('open', 'processed', 'paid', 'void', 'handedBack')),
                    driverId INTEGER REFERENCES staff(id),
                    attribution TEXT NOT NULL CHECK (attribution IN ('movement', 'parked', 'manual', 'outsideCustody', 'unattributed')),
                    needsReview INTEGER NOT NULL CHECK (needsReview IN (0, 1)),
                    reasons TEXT NOT NULL,
                    movementId INTEGER,
                    assignedBy TEXT,
                    assignReason TEXT,
                    assignedAt INTEGER,
                    processedAt INTEGER,
                    processedChannel TEXT CHECK (processedChannel IN ('online', 'window')),
                    paidAt INTEGER,
                    paidFen INTEGER CHECK (paidFen >= 0),
                    lateFeeFen INTEGER CHECK (lateFeeFen >= 0),
                    payMethod TEXT CHECK (payMethod IN ('wechat', 'alipay', 'bank-card', 'cash')),
                    payer TEXT CHECK (payer IN ('shop', 'driver', 'owner')),
                    recordedAt INTEGER NOT NULL,
                    handedBackAt INTEGER,
                    handBackReason TEXT CHECK (handBackReason IS NULL OR length(handBackReason) BETWEEN 1 AND 200),
                    CHECK (status IN ('open', 'void', 'handedBack') OR (processedAt IS NOT NULL AND driverId IS NOT NULL)),
                    CHECK (status <> 'paid' OR paidAt IS NOT NULL),
                    CHECK ((status = 'handedBack') = (handedBackAt IS NOT NULL))
                ) STRICT;
                INSERT INTO violation_new SELECT *, NULL, NULL FROM violation;
                DROP TABLE violation;
                ALTER TABLE violation_new RENAME TO violation;
                CREATE UNIQUE INDEX violation_by_record_no ON violation(recordNo) WHERE recordNo IS NOT NULL;
                CREATE UNIQUE INDEX violation_identity ON violation(vehicleId, occurredAt, code);
                CREATE INDEX violation_by_driver ON violation(driverId, processedAt);
                CREATE INDEX violation_by_status ON violation(status, processedAt);
                CREATE INDEX violation_by_occurred ON violation(occurredAt);
                CREATE INDEX violation_by_vehicle_driver ON violation(vehicleId, driverId, status);

                CREATE TABLE movementVoid (
                    id INTEGER PRIMARY KEY,
                    visitId INTEGER NOT NULL REFERENCES visit(id),
                    vehicleId INTEGER NOT NULL REFERENCES vehicle(id),
                    staffId INTEGER NOT NULL REFERENCES staff(id),
                    startAt INTEGER NOT NULL,
                    endAt INTEGER,
                    purpose TEXT NOT NULL CHECK (purpose IN ('road-test', 'parking', 'delivery', 'pickup', 'other')),
                    voidedAt INTEGER NOT NULL,
                    voidedBy TEXT NOT NULL,
                    voidReason TEXT NOT NULL CHECK (length(voidReason) BETWEEN 1 AND 200)
                ) STRICT;
                CREATE INDEX movementVoid_by_start ON movementVoid(startAt);
                CREATE TRIGGER movementVoid_is_history_update BEFORE UPDATE ON movementVoid
                    BEGIN SELECT RAISE(ABORT, 'a voided movement is history'); END;
                CREATE TRIGGER movementVoid_is_history_delete BEFORE DELETE ON movementVoid
                    BEGIN SELECT RAISE(ABORT, 'a voided movement is history'); END;
                """)
        }
        migrator.registerMigration("v7 custody") { db in
            // The odometer (km) and the fuel gauge (percent) read at check-in and check-out, each optional (R14).
            try db.execute(sql: """
                ALTER TABLE visit ADD COLUMN odometerIn INTEGER CHECK (odometerIn IS NULL OR odometerIn BETWEEN 0 AND 9999999);
                ALTER TABLE visit ADD COLUMN odometerOut INTEGER CHECK (odometerOut IS NULL OR odometerOut BETWEEN 0 AND 9999999);
                ALTER TABLE visit ADD COLUMN fuelIn INTEGER CHECK (fuelIn IS NULL OR fuelIn BETWEEN 0 AND 100);
                ALTER TABLE visit ADD COLUMN fuelOut INTEGER CHECK (fuelOut IS NULL OR fuelOut BETWEEN 0 AND 100);
                CREATE INDEX visit_by_checkout ON visit(checkoutAt) WHERE odometerOut IS NOT NULL;
                """)
        }
        migrator.registerMigration("v8 checkin plan") { db in
            // What a car is checked in for (`visit checkin --plan road-test`): a row per planned purpose of a visit, in
            // a table of its own so that the visit's columns stay as they are.
            try db.execute(sql: """
                CREATE TABLE visitPlan (
                    visitId INTEGER NOT NULL REFERENCES visit(id),
                    purpose TEXT NOT NULL CHECK (purpose IN ('road-test', 'parking', 'delivery', 'pickup', 'other')),
                    PRIMARY KEY (visitId, purpose)
                ) STRICT, WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v9 driver accounts") { db in
            // A driver's account (a mechanic's phone) is tied to a staff member: the role's CHECK changes, so the table
            // is built anew (SQLite changes a CHECK no other way); ids, names and epochs stay as they were.
            try db.execute(sql: """
                CREATE TABLE account_new (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 32),
                    role TEXT NOT NULL CHECK (role IN ('desk', 'manager', 'chain', 'driver')),
                    staffId INTEGER REFERENCES staff(id),
                    passwordHash TEXT NOT NULL CHECK (passwordHash LIKE '$%'),
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    epoch INTEGER NOT NULL DEFAULT 1 CHECK (epoch >= 1),
                    createdAt INTEGER NOT NULL,
                    CHECK (role <> 'driver' OR staffId IS NOT NULL)
                ) STRICT;
                INSERT INTO account_new (id, name, role, staffId, passwordHash, active, epoch, createdAt)
                    SELECT id, name, role, staffId, passwordHash, active, epoch, createdAt FROM account;
                DROP TABLE account;
                ALTER TABLE account_new RENAME TO account;
                """)
        }
        return migrator
    }
}
