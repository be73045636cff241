// The ApiClient the master's own components (scheduler, controllers) use: the ResourceService called directly,
// with the same defaults, validation and errors as over HTTP, but no sockets and no JSON on the way.
// Objects are copied both ways so a caller that mutates what it got cannot corrupt the store or other watchers.
// Watch events arrive asynchronously (one microtask each, in order), as they would from a stream.
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types.js';
import type {
  ApiClient,
  ListOptions,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WriteOpts,
} from '../client/api-client.js';
import { badRequest } from '../common/errors.js';
import type { ResourceService } from './resource-service.js';
import type { ActiveWatch } from './watch-session.js';
import { resourceNotFound } from './write-checks.js';

function copy<T>(value: T): T {
  return structuredClone(value);
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw badRequest('metadata.name is required');
  return name;
}

export function createInProcessClient(service: ResourceService): ApiClient {
  return {
    async get<T extends KubeObject = KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      name: string,
    ) {
      return copy(await service.get(ref, namespace, name)) as T;
    },

    async list<T extends KubeObject = KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      opts?: ListOptions,
    ) {
      return copy(await service.list(ref, namespace, opts)) as KubeList<T>;
    },

    async create<T extends KubeObject = KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      obj: T,
      opts?: WriteOpts,
    ) {
      return (await service.create(ref, namespace, obj, { dryRun: opts?.dryRun })) as T;
    },

    async update<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T) {
      return (await service.update(ref, namespace, nameOf(obj), obj)) as T;
    },

    async updateStatus<T extends KubeObject = KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      obj: T,
    ) {
      return (await service.updateStatus(ref, namespace, nameOf(obj), obj)) as T;
    },

    async patch<T extends KubeObject = KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      name: string,
      type: PatchType,
      patch: unknown,
      opts?: { subresource?: string } & WriteOpts,
    ) {
      const result = await service.patch(ref, namespace, name, type, patch, {
        subresource: opts?.subresource,
        dryRun: opts?.dryRun,
      });
      return copy(result.object) as T;
    },

    async delete<T extends KubeObject = KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      name: string,
      opts?: DeleteOptions,
    ) {
      return copy(await service.delete(ref, namespace, name, opts)) as T | Status;
    },

    async createSubresource<R = unknown>(
      ref: ResourceRef,
      namespace: string | undefined,
      name: string,
      subresource: string,
      body: unknown,
    ) {
      const isPods = ref.group === '' && ref.resource === 'pods';
      if (!isPods || subresource !== 'binding') throw resourceNotFound();
      return (await service.bind(namespace ?? '', name, body)) as R;
    },

    watch<T extends KubeObject = KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      opts: WatchOptions,
      onEvent: (event: WatchEvent<T>) => void,
    ): WatchHandle {
      let stopped = false;
      let active: ActiveWatch | undefined;
      let settle!: { resolve: () => void; reject: (err: unknown) => void };
      const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      // Nobody has to await `done`; an unobserved failure must not become an unhandled rejection.
      done.catch(() => undefined);

      const deliver = (event: WatchEvent<T>) =>
        queueMicrotask(() => {
          if (!stopped) onEvent(event);
        });
      const finish = () =>
        queueMicrotask(() => {
          stopped = true;
          settle.resolve();
        });

      service
        .watch(ref, namespace, opts, {
          onEvent: (event) => deliver({ type: event.type, object: copy(event.object) } as WatchEvent<T>),
          onEnd: finish,
        })
        .then(
          (w) => {
            active = w;
            if (stopped) w.stop();
          },
          (err) => {
            stopped = true;
            settle.reject(err);
          },
        );

      return {
        stop() {
          if (stopped) return;
          stopped = true;
          active?.stop();
          settle.resolve();
        },
        done,
      };
    },
  };
}
