// Shared payloads: the invite text is the real-world shape DriverDesk prints on invites,
// and the long text pushes the encoder into large versions where scanning is hardest.
enum Payloads {
    static let ascii = "Hello, DriverDesk! 0123456789"

    static let invite = "INV-7K3Q-9XZP\n请在交管12123中为王磊备案 京A12345\nPlease register 王磊 (京A12345) in the 交管12123 app before 2025-07-01."

    /// Short accented Latin text: zbar's charset guessing mangles this unless run with -Sbinary.
    static let accents = "Café Zürich — façade ü"

    static let url = "https://driverdesk.example.com/invite/INV-7K3Q-9XZP?lang=zh-CN&plate=%E4%BA%ACA12345#accept"

    /// About 600 bytes of mixed ASCII and CJK so the symbol lands around version 15-20.
    static let long: String = {
        var text = ""
        var line = 0
        while text.utf8.count < 560 {
            text += "Line \(line): 司机王磊 plate 京A1234\(line % 10) — ok.\n"
            line += 1
        }
        return text + "END"
    }()

    static let all: [(name: String, text: String)] = [
        ("ascii", ascii), ("invite", invite), ("accents", accents), ("url", url), ("long", long),
    ]

    /// Invite-like payload number `index`, used for batch and benchmark runs.
    static func invite(number index: Int) -> String {
        let code = String(index, radix: 36).uppercased()
        return "INV-\(code)-9XZP\n请在交管12123中为王磊\(index)备案 京A\(10000 + index)\nPlease register 王磊\(index) in 交管12123."
    }
}
