import DriverDeskCore
import Foundation
internal import Mustache

/// The Mustache templates of `templates/`: pages, the invite slip, message texts.
public struct Templates: @unchecked Sendable {
    let library: MustacheLibrary
    public let folder: URL

    /// Loads every `.mustache` file below `folder`, named by its path without the extension, `/` as `_`
    /// (`web/layout.mustache` is `web_layout`: Mustache tags cannot hold a slash).
    public init(folder: URL) throws {
        self.folder = folder
        var library = MustacheLibrary()
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            throw DeskError.storage(message: "cannot read the templates in \(folder.path)")
        }
        for case let url as URL in enumerator where url.pathExtension == "mustache" {
            let name = String(url.path.dropFirst(folder.path.count + 1).dropLast(".mustache".count)).replacingOccurrences(of: "/", with: "_")
            do {
                try library.register(try String(contentsOf: url, encoding: .utf8), named: name)
            } catch {
                throw DeskError.storage(message: "the template \(url.lastPathComponent) is broken: \(error)")
            }
        }
        self.library = library
    }

    /// The templates shipped with DriverDesk.
    public static func shipped() throws -> Templates {
        try Templates(folder: try Resources.folder("templates"))
    }

    /// Renders a template with a context of dictionaries, arrays, strings and booleans.
    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard let output = library.render(context, withTemplate: name.replacingOccurrences(of: "/", with: "_")) else {
            throw DeskError.storage(message: "there is no template \(name) in \(folder.path)")
        }
        return output
    }
}
