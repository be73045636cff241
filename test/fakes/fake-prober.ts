// A scripted Prober for the probe manager's and the kubelet's unit tests: answers by request (an HTTP URL,
// `tcp <host:port>`, `exec <command>`), success by default; 'hang' answers only when the attempt times out.
// Every attempt is recorded with the (fake) clock's time.
import type { Clock } from '../../src/common/clock.js';
import {
  timeoutAttempt,
  type ProbeAttempt,
  type Prober,
  type ProbeRequest,
} from '../../agent/kubelet/probes/prober.js';

export type FakeAnswer = ProbeAttempt | 'hang';

/** The key a request is scripted and recorded under. */
export function requestKey(req: ProbeRequest): string {
  if (req.kind === 'http') return req.url;
  if (req.kind === 'tcp') return `tcp ${req.host}:${req.port}`;
  return `exec ${req.command.join(' ')}`;
}

export class FakeProber implements Prober {
  readonly calls: { key: string; req: ProbeRequest; at: number }[] = [];
  private readonly answers = new Map<string, FakeAnswer>();

  constructor(private readonly clock: Clock) {}

  /** How requests with this key are answered from now on. */
  set(key: string, answer: FakeAnswer): void {
    this.answers.set(key, answer);
  }

  succeed(key: string, output = ''): void {
    this.set(key, { result: 'success', output });
  }

  fail(key: string, output = 'failed'): void {
    this.set(key, { result: 'failure', output });
  }

  /** Clock times of the attempts with this key. */
  times(key: string): number[] {
    return this.calls.filter((c) => c.key === key).map((c) => c.at);
  }

  async run(req: ProbeRequest, signal: AbortSignal): Promise<ProbeAttempt> {
    const key = requestKey(req);
    this.calls.push({ key, req, at: this.clock.now() });
    const answer = this.answers.get(key) ?? { result: 'success', output: '' };
    if (answer !== 'hang') return answer;
    return new Promise((resolve) => {
      if (signal.aborted) resolve(timeoutAttempt(req));
      signal.addEventListener('abort', () => resolve(timeoutAttempt(req)), { once: true });
    });
  }
}
