// Encryption at rest for Secrets: a Store decorator, the place Kubernetes puts its storage transformers (between the
// registry and etcd). Objects of an encrypted resource are written as a sealed stand-in that keeps only what the
// store itself needs — apiVersion, kind, name, namespace and the resourceVersion the store stamps — and the whole
// object, AES-256-GCM encrypted (aes-gcm.ts), in one field:
//   {"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"default","resourceVersion":"42"},
//    "encrypted":"k8s:enc:aesgcm:v1:<key id>:<base64>"}
// So the objects table, the change log (every old version, deletes included) and the WAL only ever hold ciphertext.
// Reads, lists, write results and watch events (replayed and live) are decrypted again, so everything above the
// store — the API server, its watches, authorization — sees plain objects. Other resources pass through untouched.
import type { KubeObject } from '../api/types.js';
import { internalError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { AesGcm, DecryptionError, isEnvelope } from './aes-gcm.js';
import { loadOrCreateKey } from './encryption-key.js';
import type { Store, StoreEvent, StoreKey, StoreScope, StoreWatch, WriteOptions } from './store.js';

/** A group/resource whose objects are encrypted. */
export interface EncryptedResource {
  group: string;
  resource: string;
}

export const SECRETS: EncryptedResource = { group: '', resource: 'secrets' };

/** The field of the sealed stand-in that carries the envelope. */
export const ENCRYPTED_FIELD = 'encrypted';

/** The authenticated context of an object's ciphertext: its storage key, as Kubernetes uses the etcd key. */
export function storagePath(key: StoreKey): string {
  return [key.group, key.resource, key.namespace, key.name].filter((p) => p !== '').join('/');
}

export interface EncryptingStoreOptions {
  /** Default: Secrets only. */
  resources?: EncryptedResource[];
  logger?: Logger;
}

export class EncryptingStore implements Store {
  private readonly resources: EncryptedResource[];
  private readonly log: Logger;

  /**
   * Wraps `inner` with the key in <dataDir>/encryption.key, created on first start. Refuses to create a key when
   * `inner` already holds encrypted objects (the key that sealed them is gone; a new one could never read them).
   * Takes ownership of `inner`: closes it when it fails.
   */
  static async open(
    inner: Store,
    opts: { dataDir: string } & EncryptingStoreOptions,
  ): Promise<EncryptingStore> {
    const log = opts.logger ?? silentLogger;
    const resources = opts.resources ?? [SECRETS];
    try {
      let sealed = 0;
      for (const r of resources) sealed += (await inner.list({ ...r })).items.length;
      const loaded = loadOrCreateKey(opts.dataDir, (file) => {
        if (sealed > 0) {
          throw new Error(
            `${file} is missing, but the store holds ${sealed} encrypted object(s) that only that key can read; ` +
              'restore the key file (a new key would make them unreadable)',
          );
        }
      });
      const cipher = new AesGcm(loaded.key);
      if (loaded.tightened)
        log.warn({ file: loaded.file }, 'encryption key was readable by others; made it 0600');
      log.info(
        {
          file: loaded.file,
          keyId: cipher.keyId,
          created: loaded.created,
          resources: resources.map((r) => r.resource),
        },
        'encryption at rest enabled',
      );
      return new EncryptingStore(inner, cipher, { resources, logger: log });
    } catch (err) {
      await inner.close();
      throw err;
    }
  }

  constructor(
    private readonly inner: Store,
    private readonly cipher: AesGcm,
    opts: EncryptingStoreOptions = {},
  ) {
    this.resources = opts.resources ?? [SECRETS];
    this.log = opts.logger ?? silentLogger;
  }

  revision(): Promise<number> {
    return this.inner.revision();
  }

  oldestRevision(): Promise<number> {
    return this.inner.oldestRevision();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async get(key: StoreKey): Promise<KubeObject | undefined> {
    const obj = await this.inner.get(key);
    return obj && this.encrypted(key) ? this.open(key, obj) : obj;
  }

  async list(scope: StoreScope): Promise<{ items: KubeObject[]; revision: number }> {
    const result = await this.inner.list(scope);
    if (!this.encrypted(scope)) return result;
    const items = result.items.map((obj) =>
      this.open({ ...scope, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' }, obj),
    );
    return { items, revision: result.revision };
  }

  async create(key: StoreKey, obj: KubeObject): Promise<KubeObject> {
    if (!this.encrypted(key)) return this.inner.create(key, obj);
    const { sealed, plain } = this.seal(key, obj);
    return withRevision(plain, await this.inner.create(key, sealed));
  }

  async update(key: StoreKey, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    if (!this.encrypted(key)) return this.inner.update(key, obj, opts);
    const { sealed, plain } = this.seal(key, obj);
    return withRevision(plain, await this.inner.update(key, sealed, opts));
  }

  async delete(key: StoreKey, opts?: WriteOptions): Promise<KubeObject> {
    const gone = await this.inner.delete(key, opts);
    return this.encrypted(key) ? this.open(key, gone) : gone;
  }

  watch(scope: StoreScope, fromRevision: number, onEvent: (event: StoreEvent) => void): StoreWatch {
    if (!this.encrypted(scope)) return this.inner.watch(scope, fromRevision, onEvent);
    return this.inner.watch(scope, fromRevision, (event) => {
      let plain: StoreEvent;
      try {
        plain = { ...event, object: this.open(event.key, event.object) };
        if (event.prevObject) plain.prevObject = this.open(event.key, event.prevObject);
      } catch (err) {
        // Handlers must not throw. The same object fails every get and list too, with a 500 that says why.
        this.log.error(
          { key: storagePath(event.key), revision: event.revision, err: (err as Error).message },
          'dropped a watch event that could not be decrypted',
        );
        return;
      }
      onEvent(plain);
    });
  }

  // ---- sealing ----------------------------------------------------------------------------------------------

  private encrypted(k: { group: string; resource: string }): boolean {
    return this.resources.some((r) => r.group === k.group && r.resource === k.resource);
  }

  /** The stand-in to store, and a private plain copy of `obj` to answer the write with. */
  private seal(key: StoreKey, obj: KubeObject): { sealed: KubeObject; plain: KubeObject } {
    // The store stamps the resourceVersion on the stand-in; the encrypted copy carries none.
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    const json = JSON.stringify({ ...obj, metadata });
    const sealed: KubeObject = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: key.name, ...(key.namespace ? { namespace: key.namespace } : {}) },
      [ENCRYPTED_FIELD]: this.cipher.encrypt(Buffer.from(json, 'utf8'), storagePath(key)),
    };
    return { sealed, plain: JSON.parse(json) as KubeObject };
  }

  /** The plain object behind a stored stand-in; 500 Internal Error when it cannot be read. */
  private open(key: StoreKey, stored: KubeObject): KubeObject {
    const envelope = stored[ENCRYPTED_FIELD];
    const where = storagePath(key);
    if (!isEnvelope(envelope)) {
      throw internalError(`unable to transform key "${where}": the stored object is not encrypted`);
    }
    let plain: KubeObject;
    try {
      plain = JSON.parse(this.cipher.decrypt(envelope, where).toString('utf8')) as KubeObject;
    } catch (err) {
      const why = err instanceof DecryptionError ? err.message : 'the decrypted object is not JSON';
      throw internalError(`unable to transform key "${where}": ${why}`);
    }
    return withRevision(plain, stored);
  }
}

/** `plain` with the resourceVersion the store gave `stored`. */
function withRevision(plain: KubeObject, stored: KubeObject): KubeObject {
  plain.metadata = { ...plain.metadata, resourceVersion: stored.metadata.resourceVersion };
  return plain;
}
