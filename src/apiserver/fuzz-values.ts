// fast-check arbitraries for the API server fuzz test (test support, not used by the server): valid manifests and
// mutations of them, nasty values (huge numbers, deep nesting, unicode, prototype-pollution keys), text damage,
// patches of all four types and hostile YAML. fuzz-requests.ts turns them into HTTP requests.
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const container = { name: 'c', image: 'busybox:1', ports: [{ containerPort: 80, name: 'http' }] };
const template = {
  metadata: { labels: { app: 'fz' } },
  spec: { containers: [container], restartPolicy: 'Always' },
};
const selector = { matchLabels: { app: 'fz' } };

/** Valid manifests the mutations start from. */
export const MANIFESTS: Record<string, Json> = {
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'fz-pod', labels: { app: 'fz' } },
    spec: template.spec,
  },
  deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fz-dep' },
    spec: { replicas: 2, selector, template },
  },
  service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'fz-svc' },
    spec: { type: 'NodePort', selector: { app: 'fz' }, ports: [{ port: 80, targetPort: 'http' }] },
  },
  configMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fz-cm' }, data: { a: '1' } },
  job: {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'fz-job' },
    spec: { template: { spec: { ...template.spec, restartPolicy: 'Never' } } },
  },
  cronJob: {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'fz-cj' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { ...template.spec, restartPolicy: 'OnFailure' } } } },
    },
  },
  statefulSet: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'fz-sts' },
    spec: { serviceName: 'fz-svc', selector, template },
  },
  daemonSet: {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'fz-ds' },
    spec: { selector, template },
  },
  namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz-ns', labels: { a: 'b' } } },
  node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'fz-node' }, spec: { unschedulable: false } },
};

/** Collection URL of each manifest (fuzz.test.ts keeps every manifest stored under its own name as a seed). */
export const COLLECTIONS: Record<string, string> = {
  pod: '/api/v1/namespaces/default/pods',
  deployment: '/apis/apps/v1/namespaces/default/deployments',
  service: '/api/v1/namespaces/default/services',
  configMap: '/api/v1/namespaces/default/configmaps',
  job: '/apis/batch/v1/namespaces/default/jobs',
  cronJob: '/apis/batch/v1/namespaces/default/cronjobs',
  statefulSet: '/apis/apps/v1/namespaces/default/statefulsets',
  daemonSet: '/apis/apps/v1/namespaces/default/daemonsets',
  namespace: '/api/v1/namespaces',
  node: '/api/v1/nodes',
};
const KINDS = Object.keys(MANIFESTS);

// ---- values -------------------------------------------------------------------------------------------------

/** Nested `depth` levels of arrays or objects. */
function nested(depth: number, asObject: boolean): Json {
  let v: Json = 'bottom';
  for (let i = 0; i < depth; i++) v = asObject ? { n: v } : [v];
  return v;
}

const pollution = fc.constantFrom<Json>(
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  JSON.parse('{"__proto__":null}'),
  JSON.parse('{"prototype":{"polluted":"yes"},"toString":"x","hasOwnProperty":1}'),
);

/** Values that break assumptions: wrong types, extremes, unicode, deep nesting, pollution keys. */
export const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(1e308, -1e308, 2 ** 53 + 1, 0.5, -1, 2147483648, 4294967296, 1e21, 0, '', ' ', '0'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom<Json>('x'.repeat(70_000), 'Ünïcødé-名前', '\u0000\u001f\u007f', '../../etc/passwd', '%2F'),
  fc.integer({ min: 90, max: 130 }).chain((d) => fc.constantFrom(nested(d, false), nested(d, true))),
  pollution,
  fc.constantFrom<Json>(null, true, [], {}, [null], { '': '' }),
  fc.constantFrom<Json>({ privileged: true }, { add: ['NET_ADMIN'] }, { path: '/' }, 8080, {
    type: 'Unconfined',
  }),
);

// ---- mutated manifests ----------------------------------------------------------------------------------------

/** Every path (list of keys) into a JSON value. */
function pathsOf(
  value: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

interface Mutation {
  at: number;
  op: 'set' | 'delete' | 'add';
  key: string;
  value: Json;
}

const mutationKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'spec',
    'metadata',
    'status',
    'name',
    'foo',
    '$patch',
    '',
  ),
  fc.string({ unit: 'binary', maxLength: 10 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('set', 'delete', 'add'),
  key: mutationKey,
  value: nastyValue,
});

/** A fresh copy: generated values are shared between runs, and own `__proto__` keys must stay own keys. */
const copy = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json;

function mutate(base: Json, mutations: Mutation[]): Json {
  let root = copy(base);
  for (const m of mutations.map((x) => ({ ...x, value: copy(x.value) }))) {
    const paths = pathsOf(root);
    const path = paths[m.at % paths.length];
    if (path.length === 0) {
      if (m.op === 'set') root = m.value;
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root);
    const last = path[path.length - 1];
    // defineProperty: `__proto__` becomes an own key, as JSON.parse would make it.
    if (m.op === 'set')
      Object.defineProperty(parent, last, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else if (m.op === 'delete') delete parent[last];
    else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) {
      Object.defineProperty(parent[last], m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root;
}

export const kind = fc.constantFrom(...KINDS);

/** Where a manifest keeps its pod spec. */
function podSpecOf(value: Json): Record<string, any> | undefined {
  const v = value as any;
  const spec =
    v?.kind === 'Pod'
      ? v.spec
      : v?.kind === 'CronJob'
        ? v.spec?.jobTemplate?.spec?.template?.spec
        : v?.spec?.template?.spec;
  return spec && typeof spec === 'object' && !Array.isArray(spec) ? spec : undefined;
}

/** Settings Pod Security refuses (or allows), placed where they take effect. */
const securityPoke = fc.constantFrom<(spec: Record<string, any>) => void>(
  (s) => (s.hostNetwork = true),
  (s) => (s.hostPID = true),
  (s) => (s.volumes = [{ name: 'root', hostPath: { path: '/' } }]),
  (s) => (s.containers[0].securityContext = { privileged: true }),
  (s) => (s.containers[0].securityContext = { capabilities: { add: ['NET_ADMIN', 'CHOWN'] } }),
  (s) => (s.containers[0].securityContext = { capabilities: { add: ['CHOWN'] } }),
  (s) => (s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]),
  (s) => (s.securityContext = { sysctls: [{ name: 'net.core.somaxconn', value: '1' }] }),
  (s) => (s.securityContext = { seccompProfile: { type: 'Unconfined' } }),
);

export const mutatedManifest = fc
  .tuple(
    kind,
    fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutation, { minLength: 1, maxLength: 4 })),
    fc.option(securityPoke, { freq: 3 }),
  )
  .map(([k, ms, poke]) => {
    const value = mutate(MANIFESTS[k], ms);
    const spec = podSpecOf(value);
    if (
      poke &&
      spec &&
      Array.isArray(spec.containers) &&
      spec.containers[0] &&
      typeof spec.containers[0] === 'object'
    ) {
      poke(spec);
    }
    return { kind: k, value };
  });

/** Text-level damage JSON.stringify cannot produce. */
export const textDamage = fc.constantFrom(
  (t: string) => t,
  (t: string) => t,
  (t: string) => t,
  (t: string) => t,
  (t: string) => t.replace(/(\d+)/, '1e400'),
  (t: string) => t.replace(/(\d+)/, '123456789012345678901234567890'),
  (t: string) => t.replace(/"name":"([^"]*)"/, '"name":"$1","name":"dup-$1"'),
  (t: string) => t.slice(0, Math.max(1, t.length >> 1)),
  (t: string) => `\uFEFF${t}`,
  (t: string) => t.replace(/"/, '\u0000"'),
);

// ---- patches --------------------------------------------------------------------------------------------------

const pointer = fc.oneof(
  fc.constantFrom(
    '',
    '/',
    '/spec/replicas',
    '/metadata/labels/x',
    '/metadata/labels/a~1b',
    '/spec/template/spec/containers/0/image',
    '/spec/template/spec/containers/-',
    '/spec/containers/0/securityContext',
    '/metadata/name',
    '/metadata/namespace',
    '/status',
    '/__proto__/polluted',
    '/constructor/prototype/polluted',
    '/metadata/__proto__/polluted',
    '/spec/containers/99',
    '/kind',
  ),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }).map((ks) => ks.map((k) => `/${k}`).join('')),
);
const jsonPatchOp = fc.record(
  {
    op: fc.oneof(
      fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'),
      fc.string({ maxLength: 5 }),
    ),
    path: pointer,
    from: pointer,
    value: nastyValue,
  },
  { requiredKeys: ['op'] },
);
const directive = fc.constantFrom<Json>(
  { $patch: 'delete' },
  { $patch: 'replace', a: 1 },
  { $patch: 'merge' },
  { $patch: 'bogus' },
  { $retainKeys: ['spec'], spec: {} },
  { $retainKeys: 'x' },
  { '$setElementOrder/containers': [{ name: 'c' }, 'x', null] },
  { '$deleteFromPrimitiveList/finalizers': 'x' },
  { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } },
  { spec: { template: { spec: { containers: [{ name: 'c', $patch: 'replace' }, 5] } } } },
  { metadata: { finalizers: [{ a: 1 }] } },
);

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';
export const PATCH_CONTENT: Record<PatchKind, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export const patchBody: fc.Arbitrary<{ type: PatchKind; value: Json }> = fc.oneof(
  fc.array(jsonPatchOp, { maxLength: 4 }).map((ops) => ({ type: 'json' as const, value: ops as Json })),
  mutatedManifest.map((m) => ({ type: 'merge' as const, value: m.value })),
  fc
    .oneof(
      mutatedManifest.map((m) => m.value),
      directive,
    )
    .map((value) => ({ type: 'strategic' as const, value })),
  mutatedManifest.map((m) => ({ type: 'apply' as const, value: m.value })),
  fc
    .tuple(fc.constantFrom<PatchKind>('json', 'merge', 'strategic', 'apply'), nastyValue)
    .map(([type, value]) => ({ type, value })),
);

// ---- YAML -------------------------------------------------------------------------------------------------

export const yamlSnippet = fc.constantFrom(
  'a: &x [1, 2]\nb: *x\nkind: Pod\n',
  'kind: Pod\n---\nkind: Pod\n',
  '---\n...\n',
  'kind: Pod\nmetadata: {name: y, name: z}\n',
  'kind: !!binary aGVsbG8=\n',
  'kind: Pod\nspec: !!set {a, b}\n',
  'kind: Pod\nspec: !!omap [a: 1]\n',
  'kind: Pod\nspec: {replicas: .nan}\n',
  'kind: Pod\nspec: {replicas: .inf}\n',
  'base: &b {x: 1}\nderived: {<<: *b}\n',
  '? [complex, key]\n: value\n',
  'kind: !custom Pod\n',
  '\tkind: Pod\n',
  '%YAML 1.1\n---\nkind: Pod\nflag: yes\n',
  '__proto__: {polluted: yes}\nconstructor: {prototype: {polluted: yes}}\n',
  `${Array.from(
    { length: 12 },
    (_, i) =>
      `l${i}: &l${i} [${
        i === 0
          ? '"lol"'
          : Array(9)
              .fill(`*l${i - 1}`)
              .join(',')
      }]`,
  ).join('\n')}\n`,
  `${'['.repeat(150)}${']'.repeat(150)}\n`,
);
