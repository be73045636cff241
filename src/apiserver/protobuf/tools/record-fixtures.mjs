// Records the protobuf request bodies that stock kubectl sends, as test fixtures for ../decode.test.ts:
//
//   node src/apiserver/protobuf/tools/record-fixtures.mjs [kubectl]     (default /usr/bin/kubectl)
//
// It serves a tiny fake API server on 127.0.0.1 (/version says 1.32, so the gcloud dispatcher runs
// kubectl 1.32; legacy discovery for v1, apps/v1 and batch/v1), runs each CASE against it
// with an isolated KUBECONFIG and cache dir, and writes ../testdata/<name>.pb (the POSTed body, byte
// for byte) and ../testdata/<name>.json (the expected decoded object).
//
// The expected JSON does not come from our decoder: it is kubectl's own Go JSON encoding of the same
// object (`<command> --dry-run=client -o json`), normalised the way skiff stores objects:
// `creationTimestamp: null` and empty non-pointer structs (`strategy: {}`, `status: {}`) are dropped,
// a container's `resources: {}` is kept. None of the cases holds an empty pointer struct such as
// `emptyDir: {}`, which that normalisation would wrongly drop. Check `git diff` of testdata/ after a re-run.
//
// Not here: `kubectl drain`'s Eviction. Measured with kubectl 1.32.4, it is POSTed as application/json.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const CASES = [
  { name: 'namespace', args: ['create', 'namespace', 'foo'] },
  {
    name: 'deployment',
    args: ['create', 'deployment', 'x', '--image=nginx', '--replicas=2', '--port=8080', '--', 'sleep', '100'],
  },
  {
    name: 'deployment-zero-replicas',
    args: ['create', 'deployment', 'zero', '--image=busybox', '--replicas=0'],
  },
  { name: 'service-clusterip', args: ['create', 'service', 'clusterip', 's1', '--tcp=80:8080'] },
  {
    name: 'service-nodeport',
    args: ['create', 'service', 'nodeport', 's2', '--tcp=80:8080', '--node-port=30080'],
  },
  { name: 'configmap', args: ['create', 'configmap', 'c1', '--from-literal=a=1', '--from-literal=b=2'] },
  { name: 'secret-generic', args: ['create', 'secret', 'generic', 's', '--from-literal=k=v'] },
  { name: 'job', args: ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'] },
  {
    name: 'cronjob',
    args: ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/1 * * * *', '--', 'echo', 'hi'],
  },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'sa1'] },
];

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', 'testdata');
const kubectl = process.argv[2] ?? '/usr/bin/kubectl';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const res = (name, kind, namespaced, extra = {}) => ({
  name,
  singularName: '',
  namespaced,
  kind,
  verbs: VERBS,
  ...extra,
});
const resourceLists = {
  '/api/v1': {
    groupVersion: 'v1',
    resources: [
      res('namespaces', 'Namespace', false),
      res('services', 'Service', true),
      res('configmaps', 'ConfigMap', true),
      res('secrets', 'Secret', true),
      res('serviceaccounts', 'ServiceAccount', true),
      res('pods', 'Pod', true),
    ],
  },
  '/apis/apps/v1': {
    groupVersion: 'apps/v1',
    resources: [res('deployments', 'Deployment', true), res('replicasets', 'ReplicaSet', true)],
  },
  '/apis/batch/v1': {
    groupVersion: 'batch/v1',
    resources: [res('jobs', 'Job', true), res('cronjobs', 'CronJob', true)],
  },
};
const groups = ['apps', 'batch'].map((name) => {
  const gv = { groupVersion: `${name}/v1`, version: 'v1' };
  return { name, versions: [gv], preferredVersion: gv };
});

let posted; // { url, contentType, body } of the last POST

const server = http.createServer((req, rsp) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    const send = (code, obj) => {
      rsp.writeHead(code, { 'Content-Type': 'application/json' });
      rsp.end(JSON.stringify(obj));
    };
    const p = url.pathname;
    if (req.method === 'POST') {
      posted = { url: req.url, contentType: req.headers['content-type'], body: Buffer.concat(chunks) };
      return send(201, { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {}, code: 201 });
    }
    if (p === '/version') return send(200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
    if (p === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'] });
    if (p === '/apis') return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    if (resourceLists[p])
      return send(200, { kind: 'APIResourceList', apiVersion: 'v1', ...resourceLists[p] });
    send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  });
});

/** kubectl's client-side JSON → what skiff stores (see the header). */
function normalise(value) {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    const n = normalise(v);
    const emptyObject = typeof n === 'object' && !Array.isArray(n) && Object.keys(n).length === 0;
    if (emptyObject && k !== 'resources') continue;
    out[k] = n;
  }
  return out;
}

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-pb-fixtures-'));
fs.writeFileSync(
  path.join(tmp, 'kubeconfig'),
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server: `http://127.0.0.1:${port}` } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'u', namespace: 'default' } }],
    'current-context': 'fake',
    users: [{ name: 'u', user: {} }],
  }),
);
/** Adds flags before a `--` that starts the container command, if any. */
function withFlags(args, flags) {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  return [...args.slice(0, end), ...flags, ...args.slice(end)];
}

// spawnSync would block the event loop that serves kubectl, so kubectl runs asynchronously.
const run = (args) =>
  new Promise((resolve) => {
    const child = spawn(kubectl, withFlags(args, ['--cache-dir', path.join(tmp, 'cache')]), {
      env: { ...process.env, KUBECONFIG: path.join(tmp, 'kubeconfig') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

let failed = false;
try {
  fs.mkdirSync(outDir, { recursive: true });
  for (const c of CASES) {
    posted = undefined;
    const result = await run(c.args);
    if (!posted) {
      console.error(`${c.name}: kubectl sent no POST (exit ${result.status}): ${result.stderr}`);
      failed = true;
      continue;
    }
    if (posted.contentType !== 'application/vnd.kubernetes.protobuf') {
      console.error(`${c.name}: kubectl sent ${posted.contentType}, not protobuf`);
      failed = true;
      continue;
    }
    const dry = await run(withFlags(c.args, ['--dry-run=client', '-o', 'json']));
    if (dry.status !== 0) throw new Error(`${c.name}: dry-run failed: ${dry.stderr}`);
    const expected = normalise(JSON.parse(dry.stdout));
    fs.writeFileSync(path.join(outDir, `${c.name}.pb`), posted.body);
    const jsonFile = path.join(outDir, `${c.name}.json`);
    const options = { ...(await prettier.resolveConfig(jsonFile)), filepath: jsonFile };
    fs.writeFileSync(jsonFile, await prettier.format(JSON.stringify(expected, null, 2), options));
    console.log(`${c.name}: POST ${posted.url} (${posted.contentType}, ${posted.body.length} bytes)`);
  }
} finally {
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
