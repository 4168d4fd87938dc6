import Foundation
import Testing

/// Every page of a busy demo shop in a real browser, as the manager and as the desk, at a desk's 1280×900 and a
/// phone's 390×844: nothing wider than the window, nothing sticking out of its card, no code or English on a Chinese
/// page (and no Chinese in an English page's buttons, headings and labels), no link or button in the colour of its own
/// background. Screenshots go to test-artifacts/layout/.
@Suite("End to end: every page at 1280 and 390 px, in the person's words")
struct BrowserLayoutTests {
    /// What a page shows that it should not: sideways scrolling, elements outside their card, code-like tokens and
    /// English words in Chinese, Chinese in an English page's own words.
    static let check = """
        const [language, names] = arguments;
        const width = document.documentElement.clientWidth;
        const problems = [];
        if (document.documentElement.scrollWidth > width + 1) problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + width + ' px window');
        const visible = (el) => { const s = getComputedStyle(el); return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0; };
        document.querySelectorAll('main .card').forEach(card => {
          if (!visible(card)) return;
          const box = card.getBoundingClientRect();
          for (const el of card.querySelectorAll('*')) {
            if (!visible(el)) continue;
            const r = el.getBoundingClientRect();
            if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
              problems.push('sticks out of its card: <' + el.tagName.toLowerCase() + ' class="' + el.className + '"> ' + (el.textContent || '').trim().slice(0, 40));
              break;
            }
          }
        });
        // A link or a button whose words are the colour of its own background cannot be read.
        for (const el of document.querySelectorAll('main a, main button, header a, header button')) {
          if (!visible(el) || !el.textContent.trim()) continue;
          const s = getComputedStyle(el);
          if (s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.color === s.backgroundColor)
            problems.push('unreadable, its words the colour of its background: ' + el.textContent.trim().slice(0, 30));
        }
        // The text a person reads: without a setting's key shown for the command line, the texts for the owner's
        // phone (bilingual on purpose), scripts and styles.
        const copy = document.body.cloneNode(true);
        copy.querySelectorAll('code.key, pre.sms, script, style, svg').forEach(el => el.remove());
        const text = copy.textContent.replace(/\\s+/g, ' ');
        if (language === 'zh-Hans') {
          // The language button's own name, 12123's "App", an address's scheme (web.publicURL's example), the zones' names, people's names (accounts, the default
          // shop name) and what is typed on the command line (--lang).
          const allowed = new Set(['English', 'App', 'http', 'https', 'Asia', 'Shanghai', 'Urumqi', 'Hong', 'Kong', 'Macau', 'Taipei', 'DriverDesk', 'Workshop', ...names]);
          const plain = text.replace(/--[a-z-]+/g, ' ');
          const code = plain.match(/\\b[a-z]+\\.[a-z][A-Za-z]+\\b|\\b[a-z]+[A-Z][A-Za-z]*\\b/g) || [];
          if (code.length) problems.push('code-like words: ' + [...new Set(code)].slice(0, 8).join(', '));
          const words = (plain.match(/\\b[A-Za-z][a-z]{2,}\\b/g) || []).filter(w => !allowed.has(w));
          if (words.length) problems.push('English words: ' + [...new Set(words)].slice(0, 8).join(', '));
        } else {
          const own = [...document.querySelectorAll('main th, main label, main button, header nav a')]
            .map(el => el.cloneNode(true)).map(el => { el.querySelectorAll('select, option, input').forEach(x => x.remove()); return el.textContent; }).join(' ');
          const han = own.match(/[\\u4e00-\\u9fff]+/g) || [];
          if (han.length) problems.push('Chinese in the page\\'s own words: ' + [...new Set(han)].slice(0, 8).join(', '));
        }
        return problems;
        """

    @Test("manager and desk, 1280×900 and 390×844, zh-Hans and English: no sideways scrolling, nothing outside its card, the person's words only")
    func everyPage() throws {
        var cli = try CLI(.sqlite)
        cli.now = "2026-12-07 10:00"
        try cli.ok("demo")
        for (name, role, staff, password) in [("boss", "manager", nil, "Boss-office-2026"), ("anna", "desk", "王磊", "Anna-front-2026")] {
            let added = try cli.run(["user", "add", name, "--role", role, "--password-stdin"] + (staff.map { ["--staff", $0] } ?? []), stdin: password + "\n")
            #expect(added.status == 0, "\(added.stderr)")
        }
        // One record of each kind to open.
        let plate = try #require(try cli.ok("vehicle", "list", "--json").array().first?["plate"] as? String)
        let ref = try #require(try cli.ok("register", "list", "--json").array().first?["ref"] as? String)
        let violation = try #require(try cli.ok("violation", "list", "--json").array().first?["id"] as? Int)
        let movement = try #require(try cli.ok("move", "list", "--json").array().first?["id"] as? Int)
        let visit = try #require((try cli.ok("vehicle", "show", plate, "--json").object()["visits"] as? [[String: Any]])?.first?["id"] as? Int)
        let encoded = plate.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
        // A car checked in for a road test: its answer page, and the dashboard's list of road tests without a driver.
        let awayCars = try cli.ok("vehicle", "list", "--json").array().filter { $0["inShop"] as? Bool == false }.compactMap { $0["plate"] as? String }
        let away = try #require(awayCars.first), outside = try #require(awayCars.dropFirst().first)
        try cli.ok("visit", "checkin", "--plate", away, "--plan", "road-test,delivery")
        let planned = away.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
        // A car not in the shop: its page has the check-in form with the plan's boxes.
        let checkin = outside.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
        let deskPages = ["", "moves", "moves/\(movement)", "vehicles", "vehicles/\(encoded)", "staff", "staff/1", "invites", "invites/\(ref)",
                         "violations", "violations/\(violation)", "vehicles/\(planned)/plan", "vehicles/\(checkin)", "visits/\(visit)/report"]
        let managerPages = deskPages + ["payments", "cleanup", "report", "audit", "settings", "users"]
        let server = try BrowserTests.Server(cli, now: cli.now)
        defer { server.stop() }
        let folder = SlipPrintTests.artifacts.appendingPathComponent("layout")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        var problems: [String] = []
        for (width, height) in [(1280, 900), (390, 844)] {
            let browser = try WebDriver(width: width, height: height, phone: width < 500)
            defer { browser.quit() }
            // On a phone the language switch and the logout are in the folded menu: open it first, as a person does.
            func header(_ css: String) throws -> WebDriver.Element {
                if width < 500, try browser.execute("return document.getElementById('menu-toggle').checked") as? Bool != true {
                    try browser.find("label.menu-button").click()
                }
                return try browser.find(css)
            }
            for (name, password, pages) in [("boss", "Boss-office-2026", managerPages), ("anna", "Anna-front-2026", deskPages)] {
                try browser.open(server.url + "login")
                try browser.find("form[action='/login'] input[name=name]").type(name)
                try browser.find("form[action='/login'] input[name=password]").type(password + WebDriver.enter)
                try browser.wait(for: "the dashboard after \(name) logs in") { try browser.currentURL() == server.url }
                let inner = try browser.execute("return innerWidth") as? Int
                #expect(inner == width, "the page is laid out \(inner ?? 0) px wide, not \(width)")
                for language in ["zh-Hans", "en"] {
                    if language == "en" {
                        try header("header form[action='/lang'] button[value=en]").click()
                        try browser.wait(for: "the English page") { try browser.execute("return document.documentElement.lang") as? String == "en" }
                    }
                    for page in pages {
                        try browser.open(server.url + page)
                        let found = try browser.execute(BrowserLayoutTests.check, [language, ["boss", "anna"]]) as? [String] ?? ["the check did not run"]
                        problems += found.map { "\(name) \(language) \(width)px /\(page): \($0)" }
                        if language == "zh-Hans" || page.isEmpty {
                            let file = "\(name)-\(language)-\(width)-\(page.isEmpty ? "dashboard" : page.replacingOccurrences(of: "/", with: "_").removingPercentEncoding ?? page).png"
                            try browser.screenshot().write(to: folder.appendingPathComponent(file))
                        }
                    }
                    if language == "en" {
                        try header("header form[action='/lang'] button[value=zh-Hans]").click()
                        try browser.wait(for: "the Chinese page") { try browser.execute("return document.documentElement.lang") as? String == "zh-Hans" }
                    }
                }
                try browser.open(server.url)
                try header("header form[action='/logout'] button").click()
                try browser.wait(for: "the login page after \(name) logs out") { try browser.currentURL().hasSuffix("/login") }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(80).joined(separator: "\n"))")
    }
}
