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
    ],
    targets: [
        .target(name: "DriverDeskCore"),
        .target(
            name: "DriverDeskStore",
            dependencies: ["DriverDeskCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "DriverDeskApp",
            dependencies: ["DriverDeskCore", "DriverDeskStore"]
        ),
        .executableTarget(
            name: "driverdesk",
            dependencies: [
                "DriverDeskApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DriverDeskCoreTests", dependencies: ["DriverDeskCore"]),
        .testTarget(name: "DriverDeskStoreTests", dependencies: ["DriverDeskStore"]),
        .testTarget(name: "DriverDeskAppTests", dependencies: ["DriverDeskApp"]),
        .testTarget(name: "EndToEndTests", dependencies: ["DriverDeskCore"]),
    ],
    swiftLanguageModes: [.v6]
)
