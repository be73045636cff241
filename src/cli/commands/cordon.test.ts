import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../../api/types.js';
import { createNode, NODES } from '../../apiserver/test-support.js';
import { startTestApiServer, testCli, type TestApiServer } from '../cli-test-support.js';
import { cordonPatch, cordonRequired, nodeName } from './cordon.js';

describe('cordon helpers', () => {
  it("kubectl's patches: true to cordon, null to uncordon (the field goes away)", () => {
    expect(cordonPatch(true)).toEqual({ spec: { unschedulable: true } });
    expect(cordonPatch(false)).toEqual({ spec: { unschedulable: null } });
  });

  it('patches only when the node is not already as wanted', () => {
    const node = (unschedulable?: boolean) => ({ metadata: { name: 'n' }, spec: { unschedulable } }) as Node;
    expect(cordonRequired(node(), true)).toBe(true);
    expect(cordonRequired(node(false), true)).toBe(true);
    expect(cordonRequired(node(true), true)).toBe(false);
    expect(cordonRequired(node(), false)).toBe(false);
    expect(cordonRequired(node(true), false)).toBe(true);
  });

  it('accepts node/NAME and nodes/NAME', () => {
    expect(['n1', 'node/n1', 'nodes/n1', 'no/n1'].map(nodeName)).toEqual(['n1', 'n1', 'n1', 'n1']);
  });
});

describe('skiff cordon / uncordon', () => {
  let api: TestApiServer;
  beforeEach(async () => {
    api = await startTestApiServer();
    await createNode(api.service, 'n1');
    await createNode(api.service, 'n2');
  });
  afterEach(() => api.close());

  const unschedulable = async (name: string) =>
    ((await api.service.get(NODES, undefined, name)) as Node).spec?.unschedulable;

  it("cordons, says so again without patching, and uncordons with kubectl's lines", async () => {
    const cli = testCli({ server: api.url });
    expect(await cli.run('cordon', 'n1')).toEqual({ code: 0, stdout: 'node/n1 cordoned\n', stderr: '' });
    expect(await unschedulable('n1')).toBe(true);
    const rv = (await api.service.get(NODES, undefined, 'n1')).metadata.resourceVersion;

    expect(await cli.run('cordon', 'node/n1')).toEqual({
      code: 0,
      stdout: 'node/n1 already cordoned\n',
      stderr: '',
    });
    expect((await api.service.get(NODES, undefined, 'n1')).metadata.resourceVersion).toBe(rv);

    expect(await cli.run('uncordon', 'n1')).toEqual({ code: 0, stdout: 'node/n1 uncordoned\n', stderr: '' });
    expect(await unschedulable('n1')).toBeUndefined();
    expect((await cli.run('uncordon', 'n1')).stdout).toBe('node/n1 already uncordoned\n');
  });

  it('takes several nodes', async () => {
    const res = await testCli({ server: api.url }).run('cordon', 'n1', 'n2');
    expect(res.stdout).toBe('node/n1 cordoned\nnode/n2 cordoned\n');
    expect([await unschedulable('n1'), await unschedulable('n2')]).toEqual([true, true]);
  });

  it('a missing node is reported as kubectl does and nothing is changed', async () => {
    const res = await testCli({ server: api.url }).run('cordon', 'n1', 'nope');
    expect(res).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): nodes "nope" not found\n',
    });
    expect(await unschedulable('n1')).toBeUndefined();
  });

  it('needs a node name', async () => {
    const res = await testCli({ server: api.url }).run('uncordon');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("missing required argument 'nodes'");
  });
});
