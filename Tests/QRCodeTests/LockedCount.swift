import Foundation

/// Thread-safe counter for tests that fan work out with concurrentPerform.
final class LockedCount: @unchecked Sendable {
    // Guarded by `lock`; unchecked because NSLock-protected state cannot be proven by the compiler.
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
