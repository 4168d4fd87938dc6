import DriverDeskApp
import Foundation
import Hummingbird

/// An HTML page as a response.
public struct HTML: ResponseGenerator, Sendable {
    public var text: String
    public var status: HTTPResponse.Status = .ok

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Renders the Mustache pages of `templates/web/` with the language catalogue of `templates/i18n/`.
public struct Pages: @unchecked Sendable {
    public let templates: Templates
    /// Language code → nested sections → text (`{"nav": {"dashboard": "…"}}`, read as `{{t.nav.dashboard}}`).
    let catalogues: [String: [String: Any]]

    public static let languages = ["zh-Hans", "en"]

    public init(templates: Templates) throws {
        self.templates = templates
        var catalogues: [String: [String: Any]] = [:]
        for language in Language.allCases {
            // The one reader of the catalogues: the pages' words are the sections of the same file as the messages'.
            catalogues[language.rawValue] = try Catalogue.read(language, folder: templates.folder.appendingPathComponent("i18n")).sections.tree
        }
        let base = catalogues["zh-Hans"] ?? [:]
        self.catalogues = catalogues.mapValues { Pages.merge(base, $0) }
    }

    /// `overlay` over `base`, section by section.
    static func merge(_ base: [String: Any], _ overlay: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in overlay {
            if let section = value as? [String: Any], let under = base[key] as? [String: Any] {
                result[key] = merge(under, section)
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// The catalogue of a language, falling back to Chinese for keys the English one lacks.
    public func catalogue(_ language: String) -> [String: Any] {
        catalogues[language] ?? catalogues["zh-Hans"] ?? [:]
    }

    /// One text of the catalogue by its dotted key, its `{name}` placeholders filled in (`Catalogue.fill`).
    public func text(_ key: String, _ language: String, _ values: [String: String] = [:]) -> String {
        var node: Any = catalogue(language)
        for part in key.split(separator: ".") { node = (node as? [String: Any])?[String(part)] as Any }
        return Catalogue.fill(node as? String ?? key, values)
    }

    /// swift-mustache treats "" as true: empty values are left out so that `{{#x}}…{{/x}}` hides.
    static func dropEmpty(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]:
            return dictionary.compactMapValues { item -> Any? in
                if let text = item as? String, text.isEmpty { return nil }
                return dropEmpty(item)
            }
        case let array as [[String: Any]]:
            return array.map { dropEmpty($0) }
        case let array as [Any]:
            return array.map { dropEmpty($0) }
        default:
            return value
        }
    }

    /// A whole page: the layout, the navigation, the scanner field, the page's own content.
    /// `openDesk`: the shop has no account yet, and every page says that changes are audited as the front desk.
    func render(_ name: String, status: HTTPResponse.Status = .ok, nav: String, title: String, page: [String: Any],
                session: Session, config: Config, flash: String? = nil, openDesk: Bool = false) throws -> HTML {
        let language = session.language ?? config.string(.uiLanguage)
        let t = catalogue(language)
        // What the person may do: the navigation and the pages offer only that (the use cases refuse the rest).
        let role = session.person?.role
        let can = Dictionary(uniqueKeysWithValues: Permission.allCases.map { permission in
            (permission.rawValue, role.map { $0.allows(permission) } ?? true)
        })
        let context: [String: Any] = [
            "t": t, "lang": language, "isZh": language == "zh-Hans", "isEn": language == "en",
            "shop": config.shopName, "csrf": session.csrf, "flash": flash ?? session.flash ?? "",
            "hasFlash": !(flash ?? session.flash ?? "").isEmpty,
            "flashLink": session.flashLink.map { ["href": $0.href, "text": $0.text] } ?? [:],
            "nav": [nav: true], "title": text(title, language), "authenticated": session.authenticated,
            "person": session.person.map { text("login.signedIn", language, ["name": $0.operatorName, "role": text("terms.role.\($0.role.rawValue)", language)]) } ?? "",
            "openDesk": openDesk, "can": can, "isDriver": role == .driver,
            "page": Pages.dropEmpty(page),
        ]
        return HTML(text: try templates.render("web/\(name)", context), status: status)
    }
}
