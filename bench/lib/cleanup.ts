// Everything a benchmark creates (processes, namespaces, containers, labs, temp dirs) registers its removal here
// the moment it exists. The runner calls runAll() after each benchmark, whether it passed or threw, and on
// SIGINT/SIGTERM; steps run newest first (a lab's pods before the lab), and one failing step does not stop the rest.

export type Log = (line: string) => void;

interface Step {
  name: string;
  fn: () => Promise<void> | void;
}

export class Cleanup {
  private steps: Step[] = [];

  constructor(private readonly log: Log) {}

  /** Registers a removal; the returned function runs it now (and unregisters it), e.g. between rounds. */
  add(name: string, fn: () => Promise<void> | void): () => Promise<void> {
    const step: Step = { name, fn };
    this.steps.push(step);
    return async () => {
      const i = this.steps.indexOf(step);
      if (i < 0) return;
      this.steps.splice(i, 1);
      await this.runStep(step);
    };
  }

  get pending(): number {
    return this.steps.length;
  }

  async runAll(): Promise<void> {
    while (this.steps.length > 0) await this.runStep(this.steps.pop()!);
  }

  private async runStep(step: Step): Promise<void> {
    const started = performance.now();
    try {
      await step.fn();
      this.log(`cleanup: ${step.name} (${Math.round(performance.now() - started)} ms)`);
    } catch (err) {
      this.log(`cleanup: ${step.name} FAILED: ${(err as Error).message}`);
    }
  }
}
