import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './scheduler-cache.js';
import { compileSelector } from './label-selector.js';
import { makeNode, makePod } from '../../test/fakes/scheduler-fixtures.js';

describe('SchedulerCache', () => {
  it('keeps NodeInfos sorted by name and counts bound pods on them', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('b'));
    c.upsertNode(makeNode('a'));
    c.updatePod(makePod('p', { cpu: '1', nodeName: 'a' }));
    expect(c.nodeInfos().map((n) => n.name)).toEqual(['a', 'b']);
    expect(c.nodeInfo('a')!.requested.cpuMillis).toBe(1000);
    expect(c.updatePod(makePod('q'))).toBe(false); // unbound: not counted
    expect(c.nodeInfo('a')!.pods.size).toBe(1);
  });

  it('assumes a pod before its binding is seen, confirms it from the informer, forgets it on failure', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('n'));
    const pod = makePod('p', { cpu: '1' });
    c.assume(pod, 'n');
    expect(c.isAssumed('default/p')).toBe(true);
    expect(c.nodeInfo('n')!.requested.cpuMillis).toBe(1000);
    // A status update of the still-unbound pod does not drop the assumption.
    c.updatePod(pod);
    expect(c.isAssumed('default/p')).toBe(true);
    c.updatePod(makePod('p', { cpu: '1', nodeName: 'n' }));
    expect(c.isAssumed('default/p')).toBe(false);
    expect(c.forget('default/p')).toBe(false); // confirmed pods are not forgotten
    expect(c.nodeInfo('n')!.requested.cpuMillis).toBe(1000);

    c.assume(makePod('q', { cpu: '1' }), 'n');
    expect(c.forget('default/q')).toBe(true);
    expect(c.nodeInfo('n')!.requested.cpuMillis).toBe(1000);
  });

  it('removes terminal and deleted pods, reporting freed capacity', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('n'));
    c.updatePod(makePod('p', { cpu: '1', nodeName: 'n' }));
    c.updatePod(makePod('q', { cpu: '1', nodeName: 'n' }));
    expect(c.updatePod(makePod('p', { cpu: '1', nodeName: 'n', phase: 'Succeeded' }))).toBe(true);
    expect(c.removePod('default/q')).toBe(true);
    expect(c.removePod('default/q')).toBe(false);
    expect(c.nodeInfo('n')!.requested).toEqual({ cpuMillis: 0, memoryBytes: 0, pods: 0 });
  });

  it('holds pods of unknown nodes as ghosts until the node shows up; a deleted node with pods becomes a ghost', () => {
    const c = new SchedulerCache();
    c.updatePod(makePod('early', { cpu: '1', nodeName: 'late-node' }));
    expect(c.nodeInfos()).toEqual([]);
    expect(c.nodeInfo('late-node')).toBeUndefined();
    c.upsertNode(makeNode('late-node'));
    expect(c.nodeInfos().map((n) => n.name)).toEqual(['late-node']);
    expect(c.nodeInfo('late-node')!.requested.cpuMillis).toBe(1000);
    c.removeNode('late-node');
    expect(c.nodeInfos()).toEqual([]);
    c.removePod('default/early'); // the last pod of a ghost removes it entirely
    c.upsertNode(makeNode('late-node'));
    expect(c.nodeInfo('late-node')!.pods.size).toBe(0);
  });

  it('moves a pod that shows up on another node than assumed', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('a'));
    c.upsertNode(makeNode('b'));
    c.assume(makePod('p', { cpu: '1' }), 'a');
    expect(c.updatePod(makePod('p', { cpu: '1', nodeName: 'b' }))).toBe(true);
    expect(c.nodeInfo('a')!.pods.size).toBe(0);
    expect(c.nodeInfo('b')!.pods.size).toBe(1);
  });

  it('keeps the pod index in step with the NodeInfos (assume, confirm, move, relabel, forget, remove)', () => {
    const c = new SchedulerCache();
    c.upsertNode(makeNode('a'));
    c.upsertNode(makeNode('b'));
    const web = compileSelector({ matchLabels: { app: 'web' } });
    const where = () => c.pods.matching('default', web).map((e) => `${e.pod.metadata.name}@${e.nodeName}`);
    c.assume(makePod('p', { labels: { app: 'web' } }), 'a');
    expect(where()).toEqual(['p@a']);
    expect(c.pods.matching('default', web)[0].pod.spec.nodeName).toBe('a'); // the assumed copy is bound
    expect(c.isBound('default/p')).toBe(false);
    c.updatePod(makePod('p', { labels: { app: 'web' }, nodeName: 'b' }));
    expect(where()).toEqual(['p@b']);
    expect(c.isBound('default/p')).toBe(true);
    c.updatePod(makePod('p', { labels: { app: 'db' }, nodeName: 'b' }));
    expect(where()).toEqual([]);
    c.assume(makePod('q', { labels: { app: 'web' } }), 'a');
    c.forget('default/q');
    expect(where()).toEqual([]);
    c.updatePod(makePod('r', { labels: { app: 'web' }, nodeName: 'a' }));
    c.updatePod(makePod('r', { labels: { app: 'web' }, nodeName: 'a', phase: 'Failed' }));
    expect(where()).toEqual([]);
    c.removePod('default/p');
    expect(c.pods.matching('default', compileSelector({}))).toEqual([]);
  });
});
