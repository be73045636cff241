import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { loadManifests, parseManifests } from './manifests.js';

const parse = (text: string) => parseManifests({ name: 'app.yaml', text });

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseManifests', () => {
  it('splits multi-document YAML, skipping empty documents, and records where each starts', () => {
    const out = parse(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: a',
        '---',
        '# only a comment',
        '---',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: b}',
      ].join('\n'),
    );
    expect(out.map((m) => [m.object.kind, m.object.metadata.name, m.line])).toEqual([
      ['Pod', 'a', 1],
      ['Deployment', 'b', 9],
    ]);
    expect(out[0].source).toBe('app.yaml');
  });

  it('expands List and typed lists, filling in kind for typed list items', () => {
    const out = parse(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
          { apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'p' } }] },
        ],
      }),
    );
    expect(out.map((m) => `${m.object.apiVersion}/${m.object.kind}/${m.object.metadata.name}`)).toEqual([
      'v1/Service/s',
      'v1/Pod/p',
    ]);
  });

  it('reads JSON files too', () => {
    expect(parse('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}')[0].object.kind).toBe(
      'Namespace',
    );
  });

  it('reports malformed YAML with the file and line', () => {
    const msg = errorOf(() => parse('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n---\nkind: x\n'));
    expect(msg).toMatch(/^error: error parsing app\.yaml: line \d+: /);
    const msg2 = errorOf(() => parse('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: 1\n'));
    expect(msg2).toBe(
      'error: error parsing app.yaml: line 4: Nested mappings are not allowed in compact mappings',
    );
  });

  it('rejects documents without apiVersion, kind or name, naming the document line', () => {
    expect(errorOf(() => parse('metadata: {name: a}\n'))).toBe(
      'error: error validating "app.yaml": document at line 1: error validating data: [apiVersion not set, kind not set]',
    );
    expect(errorOf(() => parse('---\napiVersion: v1\nkind: Pod\nspec: {}\n'))).toBe(
      'error: error validating "app.yaml": document at line 2: error validating data: metadata.name not set',
    );
    expect(errorOf(() => parse('- a\n- b\n'))).toMatch(/the document is not an object/);
  });

  it('reads YAML 1.1 as Kubernetes does', () => {
    const [m] = parse('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {mode: 0755, on: yes}\n');
    expect(m.object.data).toEqual({ mode: 493, true: true });
  });
});

describe('loadManifests', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads files, directories (sorted, manifests only) and stdin', async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-cli-'));
    const doc = (kind: string, name: string) => `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;
    writeFileSync(join(dir, 'b.yaml'), doc('Service', 'b'));
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    const single = join(dir, 'b.yaml');
    const out = await loadManifests([dir, single, '-'], Readable.from([doc('Namespace', 'ns1')]), 'apply');
    expect(out.map((m) => [m.source, m.object.metadata.name])).toEqual([
      [join(dir, 'a.json'), 'a'],
      [join(dir, 'b.yaml'), 'b'],
      [single, 'b'],
      ['STDIN', 'ns1'],
    ]);
  });

  it('fails clearly on a missing path, no -f, or no objects', async () => {
    await expect(loadManifests(['/nonexistent/x.yaml'], Readable.from([]), 'apply')).rejects.toThrow(
      'error: the path "/nonexistent/x.yaml" does not exist',
    );
    await expect(loadManifests([], Readable.from([]), 'apply')).rejects.toThrow('must specify one of -f');
    await expect(loadManifests(['-'], Readable.from(['---\n']), 'delete')).rejects.toThrow(
      'error: no objects passed to delete',
    );
  });
});
