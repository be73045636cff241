// A live progress line for commands that wait (`rollout status`, `scale --wait`): on a terminal the line is
// rewritten in place as the state changes; elsewhere (logs, pipes) each new message is printed once on a line
// of its own, so scripts see kubectl-like output without repeats.
import type { OutStream } from '../context.js';

const CLEAR_LINE = '\r\x1b[K';

export class ProgressLine {
  private last: string | undefined;
  private open = false;

  constructor(private readonly out: OutStream) {}

  /** The current state; printed only when it changed. */
  update(message: string): void {
    if (message === this.last) return;
    this.last = message;
    if (this.out.isTTY) {
      this.out.write(`${CLEAR_LINE}${message}`);
      this.open = true;
    } else {
      this.out.write(`${message}\n`);
    }
  }

  /** The final state: ends the line (a repeat of the last message is not printed again off a terminal). */
  finish(message: string): void {
    if (this.out.isTTY) {
      this.out.write(`${this.open ? CLEAR_LINE : ''}${message}\n`);
      this.open = false;
    } else if (message !== this.last) {
      this.out.write(`${message}\n`);
    }
    this.last = message;
  }

  /** Removes an unfinished line (before an error is printed). */
  clear(): void {
    if (this.open) this.out.write(CLEAR_LINE);
    this.open = false;
  }
}
