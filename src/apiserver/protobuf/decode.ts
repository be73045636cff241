// Request bodies of Content-Type application/vnd.kubernetes.protobuf (KUBECTL-API.md §10).
// kubectl's generators (`kubectl create deployment|namespace|service|configmap|secret|job|cronjob|…`) use
// typed client-go clients, which send protobuf and cannot fall back to JSON. (drain's Eviction, measured
// with kubectl 1.32.4, is sent as JSON; it is decodable here all the same.)
//
// Wire layout: the magic bytes "k8s\0", then a runtime.Unknown envelope {typeMeta {apiVersion, kind}, raw,
// contentEncoding, contentType} whose `raw` is the object, encoded as message k8s.io.api.<group>.<version>.<Kind>.
import type { KubeObject } from '../../api/types.js';
import { ApiError, badRequest } from '../../common/errors.js';
import { k8sSchema } from './schema.js';
import { messageToJson, TO_OBJECT_OPTIONS, type JsonObject } from './to-json.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** apiVersion + kind → protobuf message. Other kinds must be sent as JSON. */
const MESSAGES: Record<string, string> = {
  'v1 Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1 Service': 'k8s.io.api.core.v1.Service',
  'v1 ConfigMap': 'k8s.io.api.core.v1.ConfigMap',
  'v1 Secret': 'k8s.io.api.core.v1.Secret',
  'v1 ServiceAccount': 'k8s.io.api.core.v1.ServiceAccount',
  'v1 Pod': 'k8s.io.api.core.v1.Pod',
  'v1 PersistentVolumeClaim': 'k8s.io.api.core.v1.PersistentVolumeClaim',
  'apps/v1 Deployment': 'k8s.io.api.apps.v1.Deployment',
  'apps/v1 ReplicaSet': 'k8s.io.api.apps.v1.ReplicaSet',
  'apps/v1 DaemonSet': 'k8s.io.api.apps.v1.DaemonSet',
  'apps/v1 StatefulSet': 'k8s.io.api.apps.v1.StatefulSet',
  'batch/v1 Job': 'k8s.io.api.batch.v1.Job',
  'batch/v1 CronJob': 'k8s.io.api.batch.v1.CronJob',
  'policy/v1 Eviction': 'k8s.io.api.policy.v1.Eviction',
};

interface Envelope {
  typeMeta?: { apiVersion?: string; kind?: string };
  raw?: Uint8Array;
  contentEncoding?: string;
}

/**
 * Body of Content-Type application/vnd.kubernetes.protobuf → plain JSON-shaped Kubernetes object
 * (apiVersion, kind, metadata, ...). Throws ApiError 400 on anything malformed or of an unknown kind.
 */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest('protobuf body does not start with the Kubernetes magic bytes 6b387300 ("k8s\\0")');
  }
  const schema = k8sSchema();
  const envelope = decodeOrThrow('the runtime.Unknown envelope', () =>
    schema.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown').decode(body.subarray(MAGIC.length)),
  ) as Envelope;

  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  if (!apiVersion || !kind) throw badRequest('protobuf body does not name its apiVersion and kind');
  const what = `${kind} (apiVersion ${JSON.stringify(apiVersion)})`;
  if (envelope.contentEncoding) {
    throw badRequest(
      `protobuf body for ${what} uses content encoding ${JSON.stringify(envelope.contentEncoding)}`,
    );
  }
  const messageName = MESSAGES[`${apiVersion} ${kind}`];
  if (!messageName) {
    throw badRequest(
      `cannot decode kind ${what} from protobuf; send it as application/json (protobuf is understood for ` +
        `${Object.keys(MESSAGES).join(', ')})`,
    );
  }

  const type = schema.lookupType(messageName);
  const fields = decodeOrThrow(what, () => {
    const message = type.decode(envelope.raw ?? new Uint8Array());
    return messageToJson(type, type.toObject(message, TO_OBJECT_OPTIONS));
  });
  const { metadata, ...rest } = fields;
  return { apiVersion, kind, metadata: (metadata as JsonObject | undefined) ?? {}, ...rest };
}

/** protobufjs throws plain Errors (RangeError, "invalid wire type", …) on bad input: make them a 400. */
function decodeOrThrow<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw badRequest(`invalid protobuf body for ${what}: ${reason}`);
  }
}
