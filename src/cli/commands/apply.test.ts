import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LAST_APPLIED_ANNOTATION } from '../apply-patch.js';
import { startTestApiServer, testCli, type TestApiServer } from '../cli-test-support.js';
import { CONFIGMAPS, PODS, SERVICES } from '../../apiserver/test-support.js';

const podYaml = (image: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: ${image}
    ports:
    - containerPort: 80
${extra}`;

const serviceYaml = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
`;

describe('skiff apply', () => {
  let api: TestApiServer;
  beforeEach(async () => {
    api = await startTestApiServer();
  });
  afterEach(() => api.close());

  it('creates, then reports unchanged, then configures with a patch that also removes dropped fields', async () => {
    const cli = testCli({
      server: api.url,
      stdin: `${podYaml('nginx:1.26', '  nodeSelector: {disk: ssd}')}\n---\n${serviceYaml}`,
    });
    const first = await cli.run('apply', '-f', '-');
    expect(first).toEqual({ code: 0, stdout: 'pod/web created\nservice/web created\n', stderr: '' });
    const created = await api.service.get(PODS, 'default', 'web');
    expect(JSON.parse(created.metadata.annotations![LAST_APPLIED_ANNOTATION])).toMatchObject({
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
    });
    expect((await api.service.get(SERVICES, 'default', 'web')).spec.selector).toEqual({ app: 'web' });

    const again = testCli({
      server: api.url,
      stdin: `${podYaml('nginx:1.26', '  nodeSelector: {disk: ssd}')}\n---\n${serviceYaml}`,
    });
    expect(await again.run('apply', '-f', '-')).toEqual({
      code: 0,
      stdout: 'pod/web unchanged\nservice/web unchanged\n',
      stderr: '',
    });

    const changed = testCli({ server: api.url, stdin: podYaml('nginx:1.27', '  nodeSelector: {disk: ssd}') });
    expect(await changed.run('apply', '-f', '-')).toEqual({
      code: 0,
      stdout: 'pod/web configured\n',
      stderr: '',
    });
    const live = await api.service.get(PODS, 'default', 'web');
    expect(live.spec.containers[0].image).toBe('nginx:1.27');
    expect(live.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it("deletes what the previous apply set and the file no longer has, keeping other writers' fields", async () => {
    const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {${data}}\n`;
    expect(
      (await testCli({ server: api.url, stdin: cm('a: "1", b: "2"') }).run('apply', '-f', '-')).stdout,
    ).toBe('configmap/cfg created\n');
    await api.service.patch(CONFIGMAPS, 'default', 'cfg', 'merge', { data: { other: 'kept' } });
    const res = await testCli({ server: api.url, stdin: cm('a: "10"') }).run('apply', '-f', '-');
    expect(res).toEqual({ code: 0, stdout: 'configmap/cfg configured\n', stderr: '' });
    expect((await api.service.get(CONFIGMAPS, 'default', 'cfg')).data).toEqual({ a: '10', other: 'kept' });
  });

  it('reports a server rejection per object with the file name and exits 1 after trying the rest', async () => {
    const bad = `apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - name: c\n`;
    const cli = testCli({ server: api.url, stdin: `${bad}---\n${serviceYaml}` });
    const res = await cli.run('apply', '-f', '-');
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('service/web created\n');
    expect(res.stderr).toBe(
      'Error from server (Invalid): error when creating "STDIN": The Pod "bad" is invalid: spec.containers[0].image: Required value\n',
    );
  });

  it('names unknown kinds like kubectl and still applies the others', async () => {
    const foo = 'apiVersion: v1\nkind: Foo\nmetadata: {name: x}\n';
    const cli = testCli({ server: api.url, stdin: `${foo}---\n${serviceYaml}` });
    const res = await cli.run('apply', '-f', '-');
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('service/web created\n');
    expect(res.stderr).toBe(
      'error: resource mapping not found for name: "x" namespace: "" from "STDIN": no matches for kind "Foo" in version "v1"\nensure CRDs are installed first\n',
    );
  });

  it('sends nothing when any document is malformed', async () => {
    const cli = testCli({ server: api.url, stdin: `${serviceYaml}---\nkind: Pod\nmetadata: {name: [x}\n` });
    const res = await cli.run('apply', '-f', '-');
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^error: error parsing STDIN: line 12: /);
    await expect(api.service.get(SERVICES, 'default', 'web')).rejects.toThrow('not found');
  });

  it('uses -n for objects without a namespace and refuses a conflicting explicit -n', async () => {
    const cli = testCli({ server: api.url, stdin: serviceYaml });
    expect((await cli.run('apply', '-n', 'kube-system', '-f', '-')).stdout).toBe('service/web created\n');
    expect((await api.service.get(SERVICES, 'kube-system', 'web')).metadata.name).toBe('web');
    const other = testCli({
      server: api.url,
      stdin: serviceYaml.replace('name: web', 'name: web\n  namespace: default'),
    });
    const res = await other.run('apply', '-f', '-', '-n', 'kube-system');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `error: the namespace from the provided object "default" does not match the namespace "kube-system". You must pass '--namespace=default' to perform this operation.`,
    );
  });
});
