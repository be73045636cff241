import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES, addresses, endpoints, service, state } from '../../test/golden/proxy/cases.js';
import { MARK_MASQ_CHAIN, endpointChainName, serviceChainName } from './chains.js';
import { parseIptablesText, ruleTarget } from './iptables-text.js';
import { probability, renderCleanup, renderRules, renderRuleset } from './render-rules.js';
import { checkRuleset } from './ruleset-check.js';

describe('renderRules golden files', () => {
  it.each(Object.keys(GOLDEN_CASES))('%s', async (name) => {
    const text = renderRules(GOLDEN_CASES[name]);
    await expect(text).toMatchFileSnapshot(`../../test/golden/proxy/${name}.rules`);
    expect(checkRuleset(text)).toEqual([]);
  });
});

const natRules = (text: string) => parseIptablesText(text).find((t) => t.name === 'nat')!.commands;
const filterRules = (text: string) => parseIptablesText(text).find((t) => t.name === 'filter')!.commands;

describe('renderRules', () => {
  it('is deterministic: input order does not change the output', () => {
    const a = service('a', '10.96.0.1', [{ port: 80 }]);
    const b = service('b', '10.96.0.2', [{ port: 80 }], {}, 'other');
    const epA = endpoints('a', [{ addresses: addresses(3), ports: [{ port: 80 }] }]);
    const epB = endpoints('b', [{ addresses: addresses(2, 9).reverse(), ports: [{ port: 80 }] }], 'other');
    expect(renderRules(state([a, b], [epA, epB]))).toBe(renderRules(state([b, a], [epB, epA])));
  });

  it('spreads over n endpoints with probabilities 1/n, 1/(n-1), … and an unconditional last rule', () => {
    const text = renderRules(GOLDEN_CASES['many-endpoints']);
    const svc = serviceChainName('default/web', 'tcp');
    const jumps = natRules(text).filter(
      (r) => r.chain === svc && ruleTarget(r.args)?.target !== MARK_MASQ_CHAIN,
    );
    expect(jumps).toHaveLength(10);
    const probs = jumps.map((r) => {
      const i = r.args.indexOf('--probability');
      return i < 0 ? undefined : Number(r.args[i + 1]);
    });
    expect(probs.slice(0, 9)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2].map((n) => Number((1 / n).toFixed(10))));
    expect(probs[9]).toBeUndefined();
    // Each endpoint is chosen with probability 1/n overall: P(i) = p_i × Π_{j<i} (1 − p_j).
    let rest = 1;
    for (const p of probs) {
      const chosen = rest * (p ?? 1);
      expect(chosen).toBeCloseTo(1 / 10, 9);
      rest -= chosen;
    }
    expect(probability(3)).toBe('0.3333333333');
    expect(probability(2)).toBe('0.5000000000');
  });

  it('uses only ready addresses, and no chain for a service whose addresses are all not ready', () => {
    const text = renderRules(GOLDEN_CASES['not-ready-excluded']);
    expect(text).toContain('--to-destination 10.244.1.5:8080');
    expect(text).not.toMatch(/10\.244\.1\.(6|7|20|21)/);
    expect(text).not.toContain(serviceChainName('default/warming', 'tcp'));
    expect(filterRules(text).some((r) => r.args.includes('10.96.0.11/32') && r.args.includes('REJECT'))).toBe(
      true,
    );
  });

  it('resolves each named port to the number the endpoints carry for that name', () => {
    const text = renderRules(GOLDEN_CASES['named-ports']);
    const dnat = (port: string) => {
      const sep = endpointChainName(
        'default/api:' + port,
        'tcp',
        `10.244.1.5:${port === 'http' ? 8080 : 9090}`,
      );
      return natRules(text).find((r) => r.chain === sep && r.args.includes('DNAT'));
    };
    expect(dnat('http')?.args).toContain('10.244.1.5:8080');
    expect(dnat('metrics')?.args).toContain('10.244.1.5:9090');
  });

  it('gives headless and ExternalName services no rules at all', () => {
    const text = renderRules(GOLDEN_CASES.headless);
    expect(text).not.toContain('SKIFF-SVC-');
    expect(text).not.toContain('default/db');
    expect(text).not.toContain('default/ext');
  });

  it('deletes stale proxy chains after flushing them, and leaves chains of other owners alone', () => {
    const { text, natChains } = renderRuleset(GOLDEN_CASES['stale-chains']);
    const deleted = natRules(text)
      .filter((r) => r.op === '-X')
      .map((r) => r.chain);
    expect(deleted.sort()).toEqual(
      [
        serviceChainName('default/old', 'tcp'),
        endpointChainName('default/old', 'tcp', '10.244.1.9:80'),
        endpointChainName('default/web', 'tcp', '10.244.1.6:8080'),
      ].sort(),
    );
    expect(text).not.toContain('SKIFF-POD-MASQ');
    expect(text).not.toContain('DOCKER');
    expect(natChains).toContain(endpointChainName('default/web', 'tcp', '10.244.1.5:8080'));
    // The -X lines come after every rule, once nothing jumps to those chains any more.
    const nat = natRules(text);
    const lastAppend = Math.max(...nat.filter((r) => r.op === '-A').map((r) => r.line));
    expect(Math.min(...nat.filter((r) => r.op === '-X').map((r) => r.line))).toBeGreaterThan(lastAppend);
  });

  it('skips malformed objects instead of producing a batch iptables-restore would refuse', () => {
    const bad = [
      service('bad-ip', '10.96.0.300', [{ port: 80 }]),
      service('bad-port', '10.96.0.2', [{ port: 70000 }]),
      service('Bad"quote', '10.96.0.3', [{ port: 80 }]),
      service('bad-port-name', '10.96.0.4', [{ name: 'a b', port: 80 }]),
      service('ok', '10.96.0.5', [{ port: 80 }]),
    ];
    const eps = [
      endpoints('ok', [
        { addresses: [{ ip: 'not-an-ip' }, { ip: '10.244.1.5' }], ports: [{ port: 80 }] },
        { addresses: [{ ip: '10.244.1.6' }], ports: [{ port: 0 }] },
      ]),
    ];
    const text = renderRules(state(bad, eps));
    expect(checkRuleset(text)).toEqual([]);
    expect(text).not.toMatch(/bad|Bad|not-an-ip|10\.244\.1\.6|70000|10\.96\.0\.300/);
    expect(text).toContain('--to-destination 10.244.1.5:80');
  });

  it('keeps the NodePort dispatch as the last rule of SKIFF-SERVICES', () => {
    const rules = natRules(renderRules(GOLDEN_CASES['node-port'])).filter(
      (r) => r.chain === 'SKIFF-SERVICES',
    );
    expect(ruleTarget(rules[rules.length - 1].args)?.target).toBe('SKIFF-NODEPORTS');
  });

  it('is fast enough for 1,000 services × 3 endpoints', () => {
    const services = [];
    const eps = [];
    for (let i = 0; i < 1000; i++) {
      const name = `svc-${i}`;
      services.push(service(name, `10.96.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`, [{ port: 80 }]));
      eps.push(endpoints(name, [{ addresses: addresses(3, 2, (i % 200) + 1), ports: [{ port: 8080 }] }]));
    }
    const s = state(services, eps);
    renderRules(s); // warm up
    const started = performance.now();
    const { text, natChains } = renderRuleset(s);
    const ms = performance.now() - started;
    expect(natChains).toHaveLength(4 + 4000);
    expect(text.split('\n').filter((l) => l.startsWith('-A')).length).toBe(1000 * (1 + 1 + 3 + 6) + 6);
    expect(ms).toBeLessThan(1000); // typically ~60 ms; generous for a loaded 2-core machine
  });
});

describe('renderRuleset partial syncs', () => {
  const svcs = [service('a', '10.96.0.1', [{ port: 80 }]), service('b', '10.96.0.2', [{ port: 80 }])];
  const eps = (bCount: number) => [
    endpoints('a', [{ addresses: addresses(2), ports: [{ port: 80 }] }]),
    endpoints('b', [{ addresses: addresses(bCount, 20), ports: [{ port: 80 }] }]),
  ];
  const declared = (text: string) =>
    parseIptablesText(text)
      .find((t) => t.name === 'nat')!
      .chains.map((c) => c.name);

  it('writes only the chains whose rules changed, and the top-level chains always', () => {
    const full = renderRuleset(state(svcs, eps(2)));
    expect(full.changedChains).toBe(full.chainRules.size); // no `applied`: everything is new
    const next = renderRuleset({
      ...state(svcs, eps(3)),
      existingChains: full.natChains,
      applied: full.chainRules,
    });
    const svcB = serviceChainName('default/b', 'tcp');
    const newSep = endpointChainName('default/b', 'tcp', '10.244.1.22:80');
    expect(declared(next.text).sort()).toEqual(
      ['SKIFF-SERVICES', 'SKIFF-NODEPORTS', 'SKIFF-POSTROUTING', MARK_MASQ_CHAIN, svcB, newSep].sort(),
    );
    expect(next.changedChains).toBe(2); // b's service chain and its new endpoint chain
    expect(checkRuleset(next.text)).toEqual([]);
    // The same batch without its partial-sync header jumps to chains it does not declare.
    expect(checkRuleset(next.text.split('\n').slice(1).join('\n')).join('\n')).toContain(
      'jump to undeclared chain SKIFF-S',
    );
    // What it leaves behind equals a full rendering of the same state.
    expect(next.natChains).toEqual(renderRuleset(state(svcs, eps(3))).natChains);
    expect(next.chainRules).toEqual(renderRuleset(state(svcs, eps(3))).chainRules);
  });

  it('has nothing to change when nothing changed, and deletes what went away', () => {
    const full = renderRuleset(state(svcs, eps(2)));
    const same = renderRuleset({
      ...state(svcs, eps(2)),
      existingChains: full.natChains,
      applied: full.chainRules,
    });
    expect(same.changedChains).toBe(0);
    expect(checkRuleset(same.text)).toEqual([]); // only kept chains jump to SKIFF-MARK-MASQ: still reachable
    const gone = renderRuleset({
      ...state(svcs.slice(0, 1), eps(2).slice(0, 1)),
      existingChains: full.natChains,
      applied: full.chainRules,
    });
    expect(gone.text).toContain(`-X ${serviceChainName('default/b', 'tcp')}`);
    expect(gone.changedChains).toBeGreaterThan(0);
  });
});

describe('renderCleanup', () => {
  it('flushes then deletes only the proxy chains of each table', () => {
    const text = renderCleanup(
      ['PREROUTING', 'SKIFF-SERVICES', 'SKIFF-POD-MASQ', 'SKIFF-SVC-AAAA', 'SKIFF-MARK-MASQ'],
      ['INPUT', 'SKIFF-PROXY', 'SKIFF-FORWARD'],
    );
    expect(text).toBe(
      [
        '*nat',
        ':SKIFF-MARK-MASQ - [0:0]',
        ':SKIFF-SERVICES - [0:0]',
        ':SKIFF-SVC-AAAA - [0:0]',
        '-X SKIFF-MARK-MASQ',
        '-X SKIFF-SERVICES',
        '-X SKIFF-SVC-AAAA',
        'COMMIT',
        '*filter',
        ':SKIFF-PROXY - [0:0]',
        '-X SKIFF-PROXY',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(checkRuleset(text)).toEqual([]);
  });

  it('is empty when nothing of ours is left', () => {
    expect(renderCleanup(['PREROUTING', 'SKIFF-POD-MASQ'], ['SKIFF-FORWARD'])).toBe('');
  });
});
