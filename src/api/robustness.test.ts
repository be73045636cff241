// Property tests: whatever JSON a client sends, the API machinery answers with field errors or an ApiError,
// never with an exception that would take the server down.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatchType } from '../client/api-client.js';
import { ApiError } from '../common/errors.js';
import { applyPatch } from './patch.js';
import { defaultRegistry } from './registry.js';
import { apiVersionOf } from './resource-def.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { KubeObject } from './types.js';

const registry = defaultRegistry();
const json = fc.jsonValue({ maxDepth: 4 });

describe('robustness', () => {
  it('defaults and validate never throw, whatever the spec/status/data', () => {
    fc.assert(
      fc.property(json, json, json, fc.constantFrom(...registry.all()), (spec, status, data, def) => {
        const obj = {
          apiVersion: apiVersionOf(def),
          kind: def.kind,
          metadata: { name: 'x', namespace: 'default' },
          spec,
          status,
          data,
        } as KubeObject;
        def.defaults?.(obj);
        expect(Array.isArray(def.validate?.(obj) ?? [])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('applyPatch either succeeds or throws an ApiError', () => {
    const original: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' } },
      spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'E', value: '1' }] }] },
    };
    fc.assert(
      fc.property(json, fc.constantFrom<PatchType>('json', 'merge', 'strategic', 'apply'), (patch, type) => {
        try {
          applyPatch(original, type, patch);
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('selector parsers either succeed or throw an ApiError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        for (const parse of [parseLabelSelector, parseFieldSelector]) {
          try {
            parse(s);
          } catch (e) {
            expect(e).toBeInstanceOf(ApiError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
