// Where the kubelet reports what it did (Pulling, Created, Started, Killing, BackOff, …). The agent passes the
// EventRecorder (src/client/event-recorder.ts), which writes core/v1 Events for `kubectl describe`; unit tests
// pass an array-backed sink.
import type { KubeObject } from '../../src/api/types.js';

export interface EventSink {
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
