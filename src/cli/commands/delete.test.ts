import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configMap, CONFIGMAPS, createNode, pod, PODS, SERVICES } from '../../apiserver/test-support.js';
import { CliError } from '../errors.js';
import { eventually, startTestApiServer, testCli, type TestApiServer } from '../cli-test-support.js';
import { deleteOptions } from './delete.js';

describe('deleteOptions', () => {
  it('maps the flags to the DeleteOptions body kubectl sends', () => {
    expect(deleteOptions({ cascade: 'background' })).toEqual({
      body: { propagationPolicy: 'Background' },
      forced: false,
    });
    expect(deleteOptions({ cascade: 'foreground', gracePeriod: 5 }).body).toEqual({
      gracePeriodSeconds: 5,
      propagationPolicy: 'Foreground',
    });
    expect(deleteOptions({ cascade: 'orphan', gracePeriod: 0 }).body).toEqual({
      gracePeriodSeconds: 1,
      propagationPolicy: 'Orphan',
    });
    expect(deleteOptions({ cascade: 'background', force: true })).toEqual({
      body: { gracePeriodSeconds: 0, propagationPolicy: 'Background' },
      forced: true,
    });
    expect(() => deleteOptions({ cascade: 'sideways' })).toThrow(CliError);
  });
});

describe('skiff delete', () => {
  let api: TestApiServer;
  beforeEach(async () => {
    api = await startTestApiServer();
  });
  afterEach(() => api.close());

  it('deletes named objects of several types and reports the missing ones', async () => {
    await api.service.create(CONFIGMAPS, 'default', configMap('a'));
    await api.service.create(CONFIGMAPS, 'default', configMap('b'));
    const res = await testCli({ server: api.url }).run('delete', 'cm', 'a', 'nope', 'b');
    expect(res).toEqual({
      code: 1,
      stdout: 'configmap "a" deleted\nconfigmap "b" deleted\n',
      stderr: 'Error from server (NotFound): configmaps "nope" not found\n',
    });
    expect((await api.service.list(CONFIGMAPS, 'default')).items).toEqual([]);
  });

  it('deletes the objects of a manifest, naming the file in errors', async () => {
    await api.service.create(SERVICES, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ port: 80 }] },
    });
    const stdin =
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: gone}\n';
    const res = await testCli({ server: api.url, stdin }).run('delete', '-f', '-');
    expect(res.stdout).toBe('service "web" deleted\n');
    expect(res.stderr).toBe(
      'Error from server (NotFound): error when deleting "STDIN": pods "gone" not found\n',
    );
    expect(res.code).toBe(1);
  });

  it('waits until a lingering pod is gone, showing a status line on a terminal after 2 s', async () => {
    await createNode(api.service, 'node-1');
    await api.service.create(PODS, 'default', pod('web', { nodeName: 'node-1' }));
    const cli = testCli({ server: api.url });
    cli.stderr.isTTY = true;
    let done = false;
    const running = cli.run('delete', 'pod', 'web').then((r) => {
      done = true;
      return r;
    });
    await eventually(() => cli.stdout.text === 'pod "web" deleted\n', 'the deleted line');
    expect((await api.service.get(PODS, 'default', 'web')).metadata.deletionTimestamp).toBeDefined();
    await cli.clock.advance(2000);
    await eventually(() => cli.stderr.text.includes('waiting'), 'the status line');
    expect(cli.stderr.text).toBe('waiting for pods "web" to be deleted...');
    expect(done).toBe(false);
    // The kubelet confirms the stop: the pod is removed.
    await api.service.delete(PODS, 'default', 'web', { gracePeriodSeconds: 0 });
    const res = await running;
    expect(res.code).toBe(0);
    expect(cli.stderr.text).toBe('waiting for pods "web" to be deleted...\r\x1b[K');
  });

  it('returns at once with --wait=false and prints no status line off a terminal', async () => {
    await createNode(api.service, 'node-1');
    await api.service.create(PODS, 'default', pod('web', { nodeName: 'node-1' }));
    const res = await testCli({ server: api.url }).run('delete', 'pod/web', '--wait=false');
    expect(res).toEqual({ code: 0, stdout: 'pod "web" deleted\n', stderr: '' });
    expect((await api.service.get(PODS, 'default', 'web')).metadata.deletionTimestamp).toBeDefined();
  });

  it('force-deletes with a warning', async () => {
    await createNode(api.service, 'node-1');
    await api.service.create(PODS, 'default', pod('web', { nodeName: 'node-1' }));
    const res = await testCli({ server: api.url }).run(
      'delete',
      'pod',
      'web',
      '--force',
      '--grace-period',
      '0',
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('pod "web" force deleted\n');
    expect(res.stderr).toMatch(/^Warning: Immediate deletion does not wait/);
    await expect(api.service.get(PODS, 'default', 'web')).rejects.toThrow('not found');
  });

  it('needs names or a file', async () => {
    const cli = testCli({ server: api.url });
    expect((await cli.run('delete', 'pods')).stderr).toBe(
      'error: resource(s) were provided, but no name was specified\n',
    );
    expect((await cli.run('delete')).stderr).toMatch(/^error: You must provide one or more resources/);
  });
});
