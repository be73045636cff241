// How the agent's periodic tasks (heartbeat, lease renewal, resync) report failures: while the master or the
// container runtime is away, the same failure repeats every few seconds. The first one is a warning, repeats are
// debug lines, and the first success afterwards says (at info) how many attempts failed.
import type { Logger } from '../../src/common/logger.js';

export class FailureLog {
  private failures = 0;

  /** `what` names the task: "node heartbeat" logs "node heartbeat failed" / "node heartbeat works again". */
  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  failed(err: unknown, fields: Record<string, unknown> = {}): void {
    this.failures++;
    const entry = { ...fields, err: (err as Error)?.message ?? String(err), failures: this.failures };
    if (this.failures === 1) this.log.warn(entry, `${this.what} failed`);
    else this.log.debug(entry, `${this.what} failed`);
  }

  succeeded(): void {
    if (this.failures > 0) this.log.info({ failures: this.failures }, `${this.what} works again`);
    this.failures = 0;
  }

  /** Consecutive failures so far (0 after a success). */
  get count(): number {
    return this.failures;
  }
}
