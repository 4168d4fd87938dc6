import DriverDeskApp
import Foundation
import Hummingbird
internal import Logging

/// `driverdesk serve` on a chain's `?shop=*`: the chain manager's view as one read-only page (every shop and the total,
/// every driver of the chain), on this machine only (the page has no login of its own).
public func buildChainApplication(chain: Chain, settings: ServerSettings) throws -> some ApplicationProtocol {
    guard settings.isLoopback else {
        throw DeskError.refusedWith(rule: "web", reasons: [Message("web.chainLoopback", ["host": .text(settings.host)])])
    }
    let templates = try Templates.shipped()
    let pages = try Pages(templates: templates)
    let router = Router(context: BasicRequestContext.self)
    // The chain's database is waited for synchronously: never on an event loop, nor on the cooperative pool.
    router.add(middleware: BlockingMiddleware(executor: .shared))
    let hosts = HostNames(served: settings.host, configured: [])
    router.add(middleware: HostGuardMiddleware { hosts })
    router.add(middleware: FileMiddleware(templates.folder.appendingPathComponent("static").path, urlBasePath: "/static", searchForIndexHtml: false))
    router.get("/") { request, _ -> HTML in
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query[name[...]].map { String($0).removingPercentEncoding ?? String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let language = value("lang") == "en" ? "en" : "zh-Hans"
        do {
            let report = try chain.report(from: value("from"), to: value("to"), now: settings.clock())
            return try ChainPage.render(report, language: language, pages: pages)
        } catch let error as DeskError {
            let catalogue = try Catalogue.shipped(language == "en" ? .en : .zhHans)
            let html = "<!doctype html><meta charset=\"utf-8\"><p>\(ChainPage.escape(catalogue.describe(error, time: Config().time, naming: .label)))</p><p><a href=\"/\">↩</a></p>"
            return HTML(text: html, status: error.exitCode == 3 ? .internalServerError : .badRequest)
        }
    }
    var logger = Logger(label: "driverdesk.web.chain")
    logger.logLevel = .warning
    return Application(router: router, configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "DriverDesk"), logger: logger)
}

/// `driverdesk serve` on `?shop=*`.
public func serveChain(chain: Chain, settings: ServerSettings, ready: () -> Void) async throws {
    let app = try buildChainApplication(chain: chain, settings: settings)
    ready()
    try await app.runService()
}

enum ChainPage {
    static func render(_ report: ChainReportView, language: String, pages: Pages) throws -> HTML {
        func figures(_ shop: ChainReportView.ShopFigures) -> [String: Any] {
            ["code": shop.code, "name": shop.name, "activeStaff": shop.activeStaff, "vehicles": shop.vehicles, "carsInShop": shop.carsInShop,
             "movements": shop.movements, "violations": shop.violations, "unpaid": shop.unpaid, "unpaidFines": "\(shop.unpaidFinesYuan)",
             "toReview": shop.toReview, "removalsDue": shop.removalsDue]
        }
        let drivers: [[String: Any]] = report.drivers.map {
            ["name": $0.name, "idNumber": $0.idNumber, "shops": $0.shops.joined(separator: " "), "movements": $0.movements, "points": $0.pointsThisCycle,
             "left": $0.pointsRemaining, "cycleEnd": $0.cycleEnd, "unpaid": $0.unpaid]
        }
        let page: [String: Any] = ["from": report.from, "to": report.to, "shops": report.shops.map(figures), "total": figures(report.total),
                                   "drivers": drivers, "hasDrivers": !drivers.isEmpty]
        let context: [String: Any] = ["t": pages.catalogue(language), "lang": language, "isZh": language == "zh-Hans", "isEn": language == "en",
                                      "page": Pages.dropEmpty(page)]
        return HTML(text: try pages.templates.render("web/chain", context))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
