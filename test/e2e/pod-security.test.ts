// Pod Security admission and strict field validation through stock kubectl against a real master (no agents
// needed: nothing here has to run). A privileged pod in `default` is refused with a message naming the field and the
// label, and admitted after `kubectl label ns default pod-security.kubernetes.io/enforce=privileged`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, requireBuild } from './harness.js';

const cluster = new Cluster();
const dir = mkdtempSync(join(tmpdir(), 'skiff-psa-'));
const LABEL = 'pod-security.kubernetes.io/enforce';

beforeAll(async () => {
  requireBuild();
  await cluster.startMaster();
});

afterAll(async () => {
  await cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function manifest(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

const privilegedPod = manifest(
  'privileged',
  `apiVersion: v1
kind: Pod
metadata:
  name: priv
spec:
  containers:
    - name: c
      image: skiff/busybox:1
      securityContext:
        privileged: true
`,
);

describe('Pod Security through kubectl', () => {
  it('refuses a privileged pod in default, naming the field and the label; admits it after kubectl label', async () => {
    const refused = await cluster.kubectl(['apply', '-f', privilegedPod]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `Error from server (Forbidden): error when creating "${privilegedPod}": pods "priv" is forbidden: ` +
        'violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true) ' +
        `(set the namespace label ${LABEL}=privileged to allow)`,
    );
    expect((await cluster.kubectl(['get', 'pod', 'priv'])).code).not.toBe(0);

    const labelled = await cluster.kubectl(['label', 'ns', 'default', `${LABEL}=privileged`]);
    expect(labelled.stdout.trim()).toBe('namespace/default labeled');
    const created = await cluster.kubectl(['apply', '-f', privilegedPod]);
    expect(created.stdout.trim()).toBe('pod/priv created');

    const unlabelled = await cluster.kubectl(['label', 'ns', 'default', `${LABEL}-`]);
    expect(unlabelled.stdout.trim()).toBe('namespace/default unlabeled');
    const bogus = await cluster.kubectl(['label', 'ns', 'default', `${LABEL}=strict`]);
    expect(bogus.stderr).toContain(
      `Invalid value: "strict": must be one of privileged, baseline, restricted`,
    );
  });

  it('admits a workload whose pods would be refused, with the Warning kubectl prints', async () => {
    const file = manifest(
      'hostnet',
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hostnet
spec:
  replicas: 0
  selector:
    matchLabels: {app: hostnet}
  template:
    metadata:
      labels: {app: hostnet}
    spec:
      hostNetwork: true
      containers:
        - name: c
          image: skiff/busybox:1
`,
    );
    const res = await cluster.kubectl(['apply', '-f', file]);
    expect(res.stdout.trim()).toBe('deployment.apps/hostnet created');
    expect(res.stderr).toContain(
      `Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true) (set the namespace label ${LABEL}=privileged to allow)`,
    );
  });

  it('kubectl’s strict validation refuses unknown fields; --validate=warn prints them and creates', async () => {
    const file = manifest(
      'typo',
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: typo
  labelz: {a: b}
data: {k: v}
`,
    );
    const strict = await cluster.kubectl(['create', '-f', file]);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('strict decoding error: unknown field "metadata.labelz"');
    const warned = await cluster.kubectl(['create', '--validate=warn', '-f', file]);
    expect(warned.stdout.trim()).toBe('configmap/typo created');
    expect(warned.stderr).toContain('Warning: unknown field "metadata.labelz"');
  });
});
