// Which lists a strategic merge patch merges, and by which key. Kubernetes reads this from Go struct tags
// (`patchStrategy:"merge" patchMergeKey:"name"`); skiff writes the same facts down as data. Lists not named
// here are replaced wholesale by a patch (tolerations, args, command, ...), exactly as in Kubernetes.

export interface PatchField {
  /** A list of objects merged element by element, matched on this key (e.g. containers by `name`). */
  mergeKey?: string;
  /** A list of scalars merged as a set union (patchStrategy merge without a key, e.g. finalizers). */
  mergeScalars?: boolean;
  /** Schema of the value (for a map) or of each element (for a list of objects). */
  schema?: PatchSchema;
}

export type PatchSchema = { readonly [field: string]: PatchField };

const objectMeta: PatchSchema = {
  finalizers: { mergeScalars: true },
  ownerReferences: { mergeKey: 'uid' },
};

const container: PatchSchema = {
  ports: { mergeKey: 'containerPort' },
  env: { mergeKey: 'name' },
  volumeMounts: { mergeKey: 'mountPath' },
  volumeDevices: { mergeKey: 'devicePath' },
};

const podSpec: PatchSchema = {
  containers: { mergeKey: 'name', schema: container },
  initContainers: { mergeKey: 'name', schema: container },
  ephemeralContainers: { mergeKey: 'name', schema: container },
  volumes: { mergeKey: 'name' },
  imagePullSecrets: { mergeKey: 'name' },
  hostAliases: { mergeKey: 'ip' },
  topologySpreadConstraints: { mergeKey: 'topologyKey' },
  resourceClaims: { mergeKey: 'name' },
  schedulingGates: { mergeKey: 'name' },
};

const conditions: PatchField = { mergeKey: 'type' };

const podTemplate: PatchSchema = { metadata: { schema: objectMeta }, spec: { schema: podSpec } };

/** Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs, ReplicationControllers: spec.template is a pod. */
const workload: PatchSchema = {
  metadata: { schema: objectMeta },
  spec: { schema: { template: { schema: podTemplate } } },
  status: { schema: { conditions } },
};

const ROOTS: Record<string, PatchSchema> = {
  Pod: {
    metadata: { schema: objectMeta },
    spec: { schema: podSpec },
    status: { schema: { conditions, podIPs: { mergeKey: 'ip' }, hostIPs: { mergeKey: 'ip' } } },
  },
  Service: {
    metadata: { schema: objectMeta },
    spec: { schema: { ports: { mergeKey: 'port' } } },
    status: { schema: { conditions } },
  },
  Node: {
    metadata: { schema: objectMeta },
    spec: { schema: { podCIDRs: { mergeScalars: true } } },
    status: { schema: { conditions, addresses: { mergeKey: 'type' } } },
  },
  Deployment: workload,
  ReplicaSet: workload,
  DaemonSet: workload,
  StatefulSet: workload,
  Job: workload,
  ReplicationController: workload,
  CronJob: {
    metadata: { schema: objectMeta },
    spec: { schema: { jobTemplate: { schema: workload } } },
  },
  PodTemplate: { metadata: { schema: objectMeta }, template: { schema: podTemplate } },
};

const DEFAULT_ROOT: PatchSchema = { metadata: { schema: objectMeta }, status: { schema: { conditions } } };

/** The patch schema of a whole object of `kind`; unknown kinds merge maps and replace every list. */
export function patchSchemaFor(kind: string): PatchSchema {
  return ROOTS[kind] ?? DEFAULT_ROOT;
}
