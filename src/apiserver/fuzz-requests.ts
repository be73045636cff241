// HTTP requests for the API server fuzz test (fuzz.test.ts; test support, not used by the server): writes of
// mutated manifests as JSON or YAML, patches of all four types, raw bytes under right and wrong content types and
// encodings, reads (also as Tables) and deletes, against real, invalid and hostile URLs and query parameters.
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import {
  COLLECTIONS,
  kind,
  MANIFESTS,
  mutatedManifest,
  nastyValue,
  PATCH_CONTENT,
  patchBody,
  textDamage,
  yamlSnippet,
} from './fuzz-values.js';

export { COLLECTIONS, MANIFESTS } from './fuzz-values.js';

export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

// ---- requests ---------------------------------------------------------------------------------------------

const weirdName = fc.oneof(
  fc.constantFrom(
    'Bad_Name',
    '..',
    '.',
    '__proto__',
    'constructor',
    'a%2Fb',
    '%',
    'x'.repeat(300),
    'SEED',
    'SEED',
  ),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
);

const seedName = (k: string): string => (MANIFESTS[k] as { metadata: { name: string } }).metadata.name;

/** Object URLs: the seeds, random and invalid names, subresources. */
const objectPath = fc
  .tuple(
    kind,
    weirdName,
    fc.constantFrom('', '', '', '/status', '/scale', '/binding', '/eviction', '/log', '/finalize'),
  )
  .map(([k, name, sub]) => `${COLLECTIONS[k]}/${name === 'SEED' ? seedName(k) : name}${sub}`);

/** Mostly no query or a valid one, so that many requests get past parsing; sometimes a bad value. */
const query = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  {
    arbitrary: fc
      .record(
        {
          fieldValidation: fc.constantFrom('Strict', 'Warn', 'Ignore', 'Strict', 'strict'),
          dryRun: fc.constantFrom('All', 'All', 'Some'),
          labelSelector: fc.oneof(
            fc.constantFrom('app=fz', 'a in (b,c),!d', 'x==', '=)'),
            fc.string({ maxLength: 15 }),
          ),
          fieldSelector: fc.oneof(
            fc.constantFrom('metadata.name=fz-pod', 'spec.bogus=1', 'status.phase!=Running'),
            fc.string({ maxLength: 15 }),
          ),
          gracePeriodSeconds: fc.constantFrom('0', '5', '-1', 'x'),
          propagationPolicy: fc.constantFrom('Orphan', 'Foreground', 'Background', 'Bogus'),
          resourceVersion: fc.constantFrom('0', '1', 'abc', '99999999999'),
        },
        { requiredKeys: [] },
      )
      .map((q) => {
        const text = new URLSearchParams(q as Record<string, string>).toString();
        return text ? `?${text}` : '';
      }),
    weight: 2,
  },
);

/** Mostly none; sometimes a body claimed to be compressed, or an encoding the server does not know. */
const encoding = fc.oneof(
  { arbitrary: fc.constant<Record<string, string>>({}), weight: 12 },
  fc.constantFrom<Record<string, string>>({ 'Content-Encoding': 'gzip' }, { 'Content-Encoding': 'compress' }),
);

const wrongContentType = fc.constantFrom(
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/vnd.kubernetes.protobuf',
  '',
);

function withBody(
  method: FuzzRequest['method'],
  path: string,
  contentType: string,
  body: Buffer,
  extra = {},
): FuzzRequest {
  return { method, path, headers: { 'Content-Type': contentType, ...extra }, body };
}

/** A valid object name, for creates that do not collide with the seeds. */
const freshName = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);

/** Creates (POST to the collection), replacements of the seed (PUT), and status writes (PUT …/status). */
const writeTarget = fc.constantFrom('create', 'create', 'replace', 'replace', 'status');

const write: fc.Arbitrary<FuzzRequest> = fc
  .tuple(mutatedManifest, fc.boolean(), textDamage, writeTarget, query, encoding, fc.option(freshName))
  .map(([m, asYaml, damage, target, q, enc, name]) => {
    const value = m.value as { metadata?: { name?: unknown } } | null;
    if (target === 'create' && name !== null && value?.metadata && typeof value.metadata === 'object') {
      value.metadata.name = name;
    }
    const text = asYaml ? toYaml(m.value) : damage(JSON.stringify(m.value));
    const seed = `${COLLECTIONS[m.kind]}/${seedName(m.kind)}`;
    const path = target === 'create' ? COLLECTIONS[m.kind] : target === 'replace' ? seed : `${seed}/status`;
    const method = target === 'create' ? 'POST' : 'PUT';
    return withBody(
      method,
      `${path}${q}`,
      asYaml ? 'application/yaml' : 'application/json',
      Buffer.from(text),
      enc,
    );
  });

const patch: fc.Arbitrary<FuzzRequest> = fc
  .tuple(patchBody, objectPath, query, textDamage, fc.boolean())
  .map(([p, path, q, damage, mismatch]) => {
    const text = p.type === 'apply' && mismatch ? toYaml(p.value) : damage(JSON.stringify(p.value) ?? 'null');
    const contentType = mismatch && p.type !== 'apply' ? 'application/json' : PATCH_CONTENT[p.type];
    return withBody('PATCH', `${path}${q}`, contentType, Buffer.from(text));
  });

const raw: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom<FuzzRequest['method']>('POST', 'PUT', 'PATCH', 'DELETE'),
    fc.oneof(
      objectPath,
      kind.map((k) => COLLECTIONS[k]),
    ),
    fc.oneof(wrongContentType, fc.constant('application/yaml'), fc.constant('application/json')),
    fc.oneof(
      yamlSnippet.map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc
        .uint8Array({ maxLength: 64 })
        .map((b) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(b)])),
      fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.string({ unit: 'binary', maxLength: 40 }).map((s) => Buffer.from(s)),
    ),
    query,
  )
  .map(([method, path, ct, body, q]) => withBody(method, `${path}${q}`, ct, body));

const read: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(
      objectPath,
      kind.map((k) => COLLECTIONS[k]),
      fc.constantFrom('/api', '/apis', '/version', '/openapi/v3'),
    ),
    query,
    fc.boolean(),
  )
  .map(([path, q, table]): FuzzRequest => ({
    method: 'GET',
    path: `${path}${q}`,
    headers: table ? { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } : {},
  }));

const remove: fc.Arbitrary<FuzzRequest> = fc
  .tuple(objectPath, query, fc.option(nastyValue))
  .map(([path, q, body]) =>
    body === null
      ? { method: 'DELETE' as const, path: `${path}${q}`, headers: {} }
      : withBody('DELETE', `${path}${q}`, 'application/json', Buffer.from(JSON.stringify(body))),
  );

/** One request of any shape, weighted towards writes. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { arbitrary: write, weight: 4 },
  { arbitrary: patch, weight: 4 },
  { arbitrary: raw, weight: 2 },
  { arbitrary: remove, weight: 1 },
  { arbitrary: read, weight: 1 },
);
