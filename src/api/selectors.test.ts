import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/errors.js';
import { nodeDef } from './kinds/node.js';
import { podDef } from './kinds/pod.js';
import {
  formatLabelSelector,
  labelSelectorMatcher,
  labelSelectorToString,
  objectFields,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.js';
import type { Node, Pod } from './types.js';

const web = { app: 'web', tier: 'fe', env: 'prod' };
const db = { app: 'db', env: 'dev' };
const bare = {};

describe('parseLabelSelector', () => {
  it.each([
    ['', [true, true, true], ''],
    ['app=web', [true, false, false], 'app=web'],
    ['app==web', [true, false, false], 'app==web'],
    ['app!=web', [false, true, true], 'app!=web'],
    ['app in (web,db)', [true, true, false], 'app in (db,web)'],
    ['app notin (web)', [false, true, true], 'app notin (web)'],
    ['tier', [true, false, false], 'tier'],
    ['!tier', [false, true, true], '!tier'],
    ['app=web,env=prod', [true, false, false], 'app=web,env=prod'],
    ['env=prod,app=web', [true, false, false], 'app=web,env=prod'],
    ['  app = web ,  env in ( prod , dev ) ', [true, false, false], 'app=web,env in (dev,prod)'],
    ['app in (in)', [false, false, false], 'app in (in)'],
    ['app=', [false, false, false], 'app='],
    ['app in ()', [false, false, false], 'app in ()'],
    ['tier,!missing', [true, false, false], '!missing,tier'],
    ['app.kubernetes.io/name', [false, false, false], 'app.kubernetes.io/name'],
  ])('%j', (sel, [mWeb, mDb, mBare], canonical) => {
    const m = parseLabelSelector(sel);
    expect([m.matches(web), m.matches(db), m.matches(bare)]).toEqual([mWeb, mDb, mBare]);
    expect(m.toString()).toBe(canonical);
    expect(m.empty).toBe(sel.trim() === '');
  });

  it('supports gt/lt on integer labels', () => {
    const m = parseLabelSelector('replicas>2');
    expect(m.matches({ replicas: '3' })).toBe(true);
    expect(m.matches({ replicas: '2' })).toBe(false);
    expect(m.matches({ replicas: 'x' })).toBe(false);
    expect(parseLabelSelector('replicas<2').matches({ replicas: '1' })).toBe(true);
  });

  it('treats undefined labels as empty', () => {
    expect(parseLabelSelector('!a').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
    expect(parseLabelSelector(undefined).empty).toBe(true);
  });

  it.each([
    ['app=web,', "found '', expected: identifier after ','"],
    ['app web', "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"],
    ['(app)', "found '(', expected: !, identifier, or 'end of string'"],
    ['app in web', "unable to parse requirement: found 'web' expected: '('"],
    ['app in (web', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['app = (x)', "unable to parse requirement: found '(', expected: identifier"],
    ['!app=web', "found '=', expected: ',' or 'end of string'"],
    [
      'app>x',
      "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
    ['bad key!=x', "unable to parse requirement: found 'key', expected: in, notin, =, ==, !=, gt, lt"],
    ['app=-web', 'unable to parse requirement: values[0][app]: Invalid value: "-web": a valid label must be'],
    ['Bad_/k=v', 'unable to parse requirement: key: Invalid value: "Bad_/k"'],
    ['a&b', 'unable to parse requirement'],
  ])('rejects %j with a 400', (sel, message) => {
    let err: unknown;
    try {
      parseLabelSelector(sel);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    expect((err as ApiError).reason).toBe('BadRequest');
    expect((err as ApiError).message.startsWith(message)).toBe(true);
  });
});

describe('labelSelectorMatcher', () => {
  it('combines matchLabels and matchExpressions', () => {
    const m = labelSelectorMatcher({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'tier', operator: 'Exists' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
      ],
    });
    expect(m.matches(web)).toBe(true);
    expect(m.matches({ ...web, canary: 'yes' })).toBe(false);
    expect(m.matches({ ...web, env: 'dev' })).toBe(false);
    expect(m.matches({ ...web, zone: 'b' })).toBe(false);
    expect(m.matches(db)).toBe(false);
    expect(m.empty).toBe(false);
  });

  it('matches everything when empty or undefined', () => {
    expect(labelSelectorMatcher(undefined).matches(db)).toBe(true);
    expect(labelSelectorMatcher({}).matches(bare)).toBe(true);
    expect(labelSelectorMatcher({}).empty).toBe(true);
  });

  it('matches nothing when a requirement is malformed (as controllers treat it)', () => {
    const m = labelSelectorMatcher({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] });
    expect(m.matches({ a: 'x' })).toBe(false);
    expect(m.matches({})).toBe(false);
    expect(
      labelSelectorMatcher({ matchExpressions: [{ key: 'a', operator: 'Bogus' as 'In' }] }).matches({}),
    ).toBe(false);
  });

  it('prints like metav1.FormatLabelSelector / Scale.status.selector', () => {
    expect(labelSelectorToString({ matchLabels: { tier: 'fe', app: 'web' } })).toBe('app=web,tier=fe');
    expect(
      labelSelectorToString({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'NotIn', values: ['dev', 'a'] },
          { key: 'x', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,env notin (a,dev),!x');
    expect(labelSelectorToString({})).toBe('');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchLabels: { app: 'web' } })).toBe('app=web');
  });

  it('round-trips through the string parser', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'env', operator: 'In' as const, values: ['a', 'b'] }],
    };
    const parsed = parseLabelSelector(labelSelectorToString(sel));
    expect(parsed.matches({ app: 'web', env: 'b' })).toBe(true);
    expect(parsed.matches({ app: 'web', env: 'c' })).toBe(false);
  });
});

describe('parseFieldSelector', () => {
  const fields = { 'metadata.name': 'web', 'spec.nodeName': 'node-1', 'status.phase': 'Running' };
  it.each([
    ['', true],
    ['metadata.name=web', true],
    ['metadata.name==web', true],
    ['metadata.name!=web', false],
    ['spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed', true],
    ['spec.nodeName=node-2', false],
    ['involvedObject.namespace=', true], // missing field counts as ""
    ['involvedObject.namespace!=', false],
    ['status.phase=Running,metadata.name=db', false],
  ])('%j → %s', (sel, want) => {
    expect(parseFieldSelector(sel).matches(fields)).toBe(want);
  });

  it('lists the field names it uses and reports emptiness', () => {
    const m = parseFieldSelector('a=1,b!=2,a!=3');
    expect(m.fieldNames).toEqual(['a', 'b']);
    expect(m.empty).toBe(false);
    expect(parseFieldSelector(undefined).empty).toBe(true);
  });

  it('unescapes values', () => {
    expect(parseFieldSelector('a=x\\,y').matches({ a: 'x,y' })).toBe(true);
    expect(parseFieldSelector('a=x\\=y').matches({ a: 'x=y' })).toBe(true);
  });

  it.each([['metadata.name'], ['a=b=c'], ['a=x\\y']])('rejects %j with a 400', (sel) => {
    expect(() => parseFieldSelector(sel)).toThrow(ApiError);
    try {
      parseFieldSelector(sel);
    } catch (e) {
      expect((e as ApiError).code).toBe(400);
    }
  });
  it('explains an unparsable term', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(
      "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    );
  });
});

describe('objectFields', () => {
  it('has metadata fields plus the kind-specific ones', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [], nodeName: 'n1' },
      status: { phase: 'Running' },
    } as Pod;
    const f = objectFields(podDef, pod);
    expect(f['metadata.name']).toBe('p');
    expect(f['metadata.namespace']).toBe('default');
    expect(f['spec.nodeName']).toBe('n1');
    expect(f['status.phase']).toBe('Running');
    expect(parseFieldSelector('spec.nodeName=n1,status.phase!=Succeeded').matches(f)).toBe(true);
  });
  it('has no namespace field for cluster-scoped kinds', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { unschedulable: true },
    } as Node;
    expect(objectFields(nodeDef, node)).toEqual({ 'metadata.name': 'n1', 'spec.unschedulable': 'true' });
  });
});
