import DriverDeskApp
import Hummingbird
import NIOPosix

/// Threads of their own for request handlers that wait on the database: a chain's PostgreSQL answers are awaited on
/// the calling thread (the use cases are synchronous), which must be neither one of NIO's event loops nor one of the
/// few threads of Swift's cooperative pool. A handler run with this executor as its preference runs its synchronous
/// work here; the event loops keep serving every other connection meanwhile.
final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    let pool: NIOThreadPool

    /// The process's one executor: as many threads as a chain's shop holds connections.
    static let shared = BlockingExecutor(threads: Shop.chainConnections)

    /// Starts `threads` threads (the same number as the chain's connections, so none waits for a thread holding none).
    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pool.submit { [self] _ in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}

/// Runs every request's handler with the blocking executor as its task executor preference.
/// A request that needs no database (`stays`: answered from what is cached) is not handed over.
struct BlockingMiddleware<Context: RequestContext>: RouterMiddleware {
    let executor: BlockingExecutor
    var stays: @Sendable (Request) -> Bool = { _ in false }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if stays(request) { return try await next(request, context) }
        return try await withTaskExecutorPreference(executor) { try await next(request, context) }
    }
}
