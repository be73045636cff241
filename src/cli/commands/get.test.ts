import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configMap, CONFIGMAPS, createNode, pod, PODS, SERVICES } from '../../apiserver/test-support.js';
import { eventually, startTestApiServer, testCli, type TestApiServer } from '../cli-test-support.js';

describe('skiff get', () => {
  let api: TestApiServer;
  beforeEach(async () => {
    api = await startTestApiServer();
    await api.service.create(PODS, 'default', pod('web', { labels: { app: 'web' } }));
    await api.service.create(PODS, 'default', pod('db'));
    await api.service.create(PODS, 'kube-system', pod('dns'));
  });
  afterEach(() => api.close());

  it('prints the server Table like kubectl', async () => {
    const res = await testCli({ server: api.url }).run('get', 'pods');
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s{3,}READY\s{3}STATUS\s{3,}RESTARTS\s{3}AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['db', 'web']);
    expect(lines[1]).toMatch(/^db\s+0\/1\s+Pending\s+0\s+\S+$/);
  });

  it('lists across namespaces with -A, wide columns with -o wide, labels with --show-labels', async () => {
    const cli = testCli({ server: api.url });
    const all = await cli.run('get', 'po', '-A');
    expect(all.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(all.stdout).toMatch(/\nkube-system\s+dns\s+/);
    const wide = await cli.run('get', 'pods', '-o', 'wide');
    expect(wide.stdout.split('\n')[0]).toMatch(/AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const labels = await cli.run('get', 'pods', '--show-labels', '-l', 'app=web');
    expect(labels.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(labels.stdout).toMatch(/\nweb\s+.*\s+app=web\n$/);
  });

  it('prints named objects, reports missing ones and exits 1', async () => {
    const res = await testCli({ server: api.url }).run('get', 'pods', 'web', 'nope');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+/);
    expect(res.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });

  it('prefixes names with the kind for several types and separates the tables', async () => {
    await api.service.create(SERVICES, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    const res = await testCli({ server: api.url }).run('get', 'po,svc');
    const blocks = res.stdout.split('\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/\npod\/db\s+.*\npod\/web\s+/);
    expect(blocks[1]).toMatch(
      /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nservice\/web\s+ClusterIP\s+/,
    );
    const all = await testCli({ server: api.url }).run('get', 'all');
    expect(all.stdout).toContain('pod/web');
    expect(all.stdout).toContain('service/web');
  });

  it('says so on stderr when nothing is found', async () => {
    const cli = testCli({ server: api.url });
    expect(await cli.run('get', 'configmaps')).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No resources found in default namespace.\n',
    });
    expect((await cli.run('get', 'nodes')).stderr).toBe('No resources found\n');
    expect((await cli.run('get', 'cm', '-A')).stderr).toBe('No resources found\n');
  });

  it('prints objects as YAML, JSON (a List for several) and names', async () => {
    await api.service.create(CONFIGMAPS, 'default', configMap('cfg', { k: 'v' }));
    const cli = testCli({ server: api.url });
    const one = parse((await cli.run('get', 'cm', 'cfg', '-o', 'yaml')).stdout);
    expect(one).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { k: 'v' },
    });
    const list = JSON.parse((await cli.run('get', 'pods', '-o', 'json')).stdout);
    expect(list.kind).toBe('List');
    expect(
      list.items.map((p: { kind: string; metadata: { name: string } }) => `${p.kind}/${p.metadata.name}`),
    ).toEqual(['Pod/db', 'Pod/web']);
    expect((await cli.run('get', 'pods', '-o', 'name')).stdout).toBe('pod/db\npod/web\n');
    const yamlText = (await cli.run('get', 'pod', 'web', '-o', 'yaml')).stdout;
    expect(yamlText.startsWith('apiVersion: v1\nkind: Pod\nmetadata:\n')).toBe(true);
    expect(yamlText).toContain('\n  containers:\n  - image: busybox\n');
  });

  it('accepts TYPE/NAME arguments', async () => {
    await createNode(api.service, 'node-1');
    const res = await testCli({ server: api.url }).run('get', 'pod/web', 'node/node-1');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/pod\/web\s/);
    expect(res.stdout).toMatch(/node\/node-1\s/);
  });

  it('rejects unknown types and output formats', async () => {
    const cli = testCli({ server: api.url });
    expect(await cli.run('get', 'foos')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: the server doesn\'t have a resource type "foos"\n',
    });
    expect((await cli.run('get', 'pods', 'web', '-A')).stderr).toBe(
      'error: a resource cannot be retrieved by name across all namespaces\n',
    );
    expect((await cli.run('get', 'pods', '-o', 'xml')).stderr).toContain(
      'error: unable to match a printer suitable for the output format "xml"',
    );
  });

  it('-w prints the table, then one row per change', async () => {
    const cli = testCli({ server: api.url });
    const running = cli.run('get', 'pods', '-w');
    await eventually(() => cli.stdout.text.includes('web'), 'the initial table');
    await api.service.create(PODS, 'default', pod('late'));
    await eventually(() => cli.stdout.text.includes('late'), 'the watch row');
    await api.service.delete(PODS, 'default', 'db');
    await eventually(() => cli.stdout.text.trimEnd().split('\n').length === 5, 'the delete row');
    const lines = cli.stdout.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['db', 'web', 'late', 'db']);
    // The columns keep the widths of the first table.
    expect(lines[3].indexOf('0/1')).toBe(lines[1].indexOf('0/1'));
    await api.close();
    await running;
  });

  it('-w on one name starts from its current state without repeating it', async () => {
    const cli = testCli({ server: api.url });
    const running = cli.run('get', 'pod', 'web', '-w');
    await eventually(() => cli.stdout.text.includes('web'), 'the initial row');
    await api.service.patch(PODS, 'default', 'web', 'merge', { metadata: { labels: { v: '2' } } });
    await api.service.patch(PODS, 'default', 'db', 'merge', { metadata: { labels: { v: '2' } } });
    await eventually(() => cli.stdout.text.trimEnd().split('\n').length === 3, 'the change row');
    await new Promise((r) => setTimeout(r, 50));
    expect(
      cli.stdout.text
        .trimEnd()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['NAME', 'web', 'web']);
    await api.close();
    await running;
  });
});
