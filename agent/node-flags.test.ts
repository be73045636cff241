import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentArgv, masterArgv } from '../src/lab/commands.js';
import { labLayout, nodeLayout } from '../src/lab/layout.js';
import { AGENT_NODE_FLAGS } from './node-flags.js';

describe('the agent node flags', () => {
  it('are what scripts/up.sh starts the agent with', () => {
    const up = readFileSync(new URL('../scripts/up.sh', import.meta.url), 'utf8');
    const m = /if \[ "\$name" = agent \]; then flags=\(([^)]*)\); fi/.exec(up);
    expect(m?.[1].split(' ')).toEqual([...AGENT_NODE_FLAGS]);
  });

  it('go before the CLI on a lab agent command line, and not on the master', () => {
    const lab = labLayout({ name: 'flags', subnet: '10.210.0.0/24', port: 7443 });
    const d = { node: '/usr/bin/node', cli: '/opt/skiff/main.js', extra: [] };
    expect(agentArgv(lab, nodeLayout(lab, 1), d).slice(0, 3 + AGENT_NODE_FLAGS.length)).toEqual([
      '/usr/bin/node',
      ...AGENT_NODE_FLAGS,
      '/opt/skiff/main.js',
      'agent',
    ]);
    expect(masterArgv(lab, d).slice(0, 3)).toEqual(['/usr/bin/node', '/opt/skiff/main.js', 'master']);
  });

  it('keep the young generation at 4 MiB, given on the command line or through NODE_OPTIONS (README)', () => {
    // Short-lived objects with many survivors: the load under which V8 grows its semi-spaces to their maximum.
    const churn = `const v8 = require('v8'); let keep = [], max = 0;
      for (let i = 0; i < 2e6; i++) {
        keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = [];
        if (i % 10000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      }
      console.log(max / 1048576);`;
    const youngMiB = (args: readonly string[], env: Record<string, string> = {}) =>
      Number(
        execFileSync(process.execPath, [...args, '-e', churn], {
          env: { ...process.env, ...env },
          encoding: 'utf8',
        }),
      );
    expect(youngMiB([])).toBeGreaterThan(8);
    expect(youngMiB(AGENT_NODE_FLAGS)).toBeLessThanOrEqual(4);
    expect(youngMiB([], { NODE_OPTIONS: AGENT_NODE_FLAGS.join(' ') })).toBeLessThanOrEqual(4);
  });
});
