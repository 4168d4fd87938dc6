// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "DriverDesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "driverdesk", targets: ["driverdesk"]),
        .library(name: "DriverDeskCore", targets: ["DriverDeskCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // No default traits: with them SwiftPM rebuilds Hummingbird at random between build and test.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Hummingbird's own dependencies, named because the web front desk imports them itself (its logger, the
        // client's address).
        .package(url: "https://github.com/apple/swift-log.git", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        // A chain's shops on one PostgreSQL database (docs/chain.md).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // postgres-nio's own: a shop's database password is sent as its SCRAM-SHA-256 verifier, made here.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.9.0" ..< "6.0.0"),
    ],
    // Each target declares exactly the modules its sources import (docs/architecture.md, "The modules"). The front
    // ends (DriverDeskWeb, driverdesk) reach the store only through DriverDeskApp, which re-exports DriverDeskCore.
    targets: [
        .target(name: "DriverDeskCore"),
        // The camera-file reader (and the one CSV tokenizer): bytes, encodings, records, header, cells. Core reads no files.
        .target(name: "DriverDeskCameraFile", dependencies: ["DriverDeskCore"]),
        .target(
            name: "DriverDeskStore",
            dependencies: [
                "DriverDeskCore", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's own calls, for the import's scan of every movement (ImportAttribution) and the change probe
                // (ChangeProbe: `PRAGMA data_version` on a connection of its own).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "QRCode", dependencies: ["CQRencode", "CZlib"]),
        .target(
            name: "DriverDeskApp",
            dependencies: [
                "DriverDeskCore", "DriverDeskCameraFile", "DriverDeskStore", "QRCode", "CCrypt",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(
            name: "DriverDeskWeb",
            dependencies: [
                "DriverDeskApp",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "driverdesk",
            dependencies: [
                "DriverDeskApp", "DriverDeskWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "driverdesk-bench",
            dependencies: [
                "DriverDeskApp", "QRCode", "DriverDeskCore", "DriverDeskStore", "DriverDeskWeb",
                // The chain's benchmark starts a throwaway PostgreSQL as the tests do, and times one SELECT on a bare connection.
                "PostgresHarness",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "DriverDeskCoreTests", dependencies: ["DriverDeskCore"]),
        .testTarget(name: "DriverDeskCameraFileTests", dependencies: ["DriverDeskCameraFile", "DriverDeskCore"]),
        // The store's engines under the use cases (`@testable import DriverDeskApp`: the flows live in App, `UseCases/`).
        .testTarget(name: "DriverDeskStoreTests", dependencies: ["DriverDeskCore", "DriverDeskStore", "DriverDeskApp", "StoreHarness", "PostgresHarness",
                                                                .product(name: "GRDB", package: "GRDB.swift")]),
        // `@testable import DriverDeskApp`: the use cases on a fresh store of each engine.
        .testTarget(name: "DriverDeskAppTests", dependencies: ["DriverDeskApp", "DriverDeskStore", "StoreHarness"]),
        // A fresh shop's store on either engine for a test: SQLite in memory, or a shop of a new chain database.
        .target(name: "StoreHarness", dependencies: ["DriverDeskCore", "DriverDeskStore", "PostgresHarness", .product(name: "GRDB", package: "GRDB.swift")],
                path: "Tests/StoreHarness"),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode"]),
        .testTarget(
            name: "DriverDeskWebTests",
            // The pages go through DriverDeskApp like the server's; the harness counts rows through the store behind the
            // shop (`@testable import DriverDeskApp`, GRDB).
            dependencies: [
                "DriverDeskWeb", "DriverDeskApp", "DriverDeskStore", "StoreHarness", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The client's address in the harness, and a socket of the tests' own for what a browser never sends.
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["DriverDeskCore", "PostgresHarness"], exclude: ["Fixtures"]),
        // The chain's PostgreSQL schema on a throwaway server (through psql): isolation, R1's exclusion constraints, roles.
        .testTarget(name: "ChainSchemaTests", dependencies: ["PostgresHarness"]),
        // A throwaway PostgreSQL 15 for the tests (scripts/pg-throwaway.sh): the chain's roles, a database, psql.
        .target(name: "PostgresHarness", path: "Tests/PostgresHarness"),
        // The chain's store on PostgreSQL: connection, migrations under the advisory lock, shops.
        .testTarget(name: "ChainStoreTests", dependencies: ["DriverDeskStore", "DriverDeskCore", "PostgresHarness"]),
        // Issue 7, reliability: concurrency, kill -9, hostile input, backups, upgrades, security (`make test`; longer: `make soak`).
        .testTarget(name: "ReliabilityTests", dependencies: ["DriverDeskCore", "ParserChecks", "PostgresHarness"], exclude: ["Fuzz"]),
        // libFuzzer targets (`make fuzz`, `scripts/fuzz.sh`): built with `--sanitize=fuzzer --sanitize=address` in .build/fuzz.
        // A plain `swift build` builds them as do-nothing executables.
        // What must hold for any parser input: checked by the fuzz targets and by ReliabilityTests alike.
        .target(name: "ParserChecks", dependencies: ["DriverDeskCore", "DriverDeskCameraFile"], path: "Sources/DriverDeskFuzz/Checks"),
        .executableTarget(name: "fuzz-plate", dependencies: ["DriverDeskCore", "ParserChecks"], path: "Sources/DriverDeskFuzz/Plate"),
        .executableTarget(name: "fuzz-idnumber", dependencies: ["DriverDeskCore", "ParserChecks"], path: "Sources/DriverDeskFuzz/IDNumber"),
        .executableTarget(name: "fuzz-time", dependencies: ["DriverDeskCore", "ParserChecks"], path: "Sources/DriverDeskFuzz/ShopTime"),
        .executableTarget(name: "fuzz-csv", dependencies: ["ParserChecks"], path: "Sources/DriverDeskFuzz/CSVReader"),
        .executableTarget(name: "fuzz-violationfile", dependencies: ["ParserChecks"], path: "Sources/DriverDeskFuzz/ViolationFile"),
    ],
    swiftLanguageModes: [.v6]
)
