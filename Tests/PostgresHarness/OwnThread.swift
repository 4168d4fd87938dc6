import Foundation

/// Runs blocking work (a process, a server's control script, a wait on a database that is away) on a thread of its
/// own: the test run's in-process servers keep the cooperative pool's few threads (two on two cores). Time what must be
/// timed inside `body`: the awaiting task may wait long for the pool under load.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
