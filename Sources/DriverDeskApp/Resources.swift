import DriverDeskCore
import Foundation

/// Finds the project's `templates/` and `data/` folders at run time, wherever the binary was built or installed.
public enum Resources {
    /// The folder holding `templates/` and `data/`.
    public static func root() throws -> URL {
        var candidates: [URL] = []
        if let home = ProcessInfo.processInfo.environment["DRIVERDESK_HOME"], !home.isEmpty {
            candidates.append(URL(fileURLWithPath: home))
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<4 {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        candidates += ["/usr/local/share/driverdesk", "/usr/share/driverdesk"].map { URL(fileURLWithPath: $0) }
        for candidate in candidates where isRoot(candidate) { return candidate }
        throw DeskError.storage(message: "cannot find DriverDesk's templates/ and data/ folders; set DRIVERDESK_HOME to the folder that holds them")
    }

    /// A folder below the root, e.g. `data/demo`.
    public static func folder(_ relative: String) throws -> URL {
        try root().appendingPathComponent(relative, isDirectory: true)
    }

    static func isRoot(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        let fm = FileManager.default
        return fm.fileExists(atPath: url.appendingPathComponent("templates").path, isDirectory: &isDirectory) && isDirectory.boolValue
            && fm.fileExists(atPath: url.appendingPathComponent("data/demo").path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
