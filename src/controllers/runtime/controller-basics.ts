// What every controller's constructor starts with: the clock (real unless a test passes a fake), its logger tagged
// with its component, and the recorder its Events go out through (named as the upstream controller names itself in
// Events' `source.component`, which is not always its log name: `node-controller`, `cidrAllocator`).
import type { ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { systemClock, type Clock } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';

export interface ControllerBasicsDeps {
  client: ApiClient;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
}

export interface ControllerBasics {
  clock: Clock;
  log: Logger;
  recorder: EventRecorder;
}

export function controllerBasics(
  deps: ControllerBasicsDeps,
  component: string,
  eventComponent = component,
): ControllerBasics {
  const clock = deps.clock ?? systemClock;
  const log = (deps.logger ?? silentLogger).child({ component });
  const recorder =
    deps.recorder ??
    new EventRecorder({ client: deps.client, component: eventComponent, clock, logger: log });
  return { clock, log, recorder };
}
