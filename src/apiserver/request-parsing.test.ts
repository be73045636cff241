import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/errors.js';
import {
  mediaType,
  parseDeleteOptions,
  parseDryRun,
  parseObjectBody,
  parsePatchBody,
  patchTypeOf,
  queryInt,
  queryStrings,
} from './request-parsing.js';

const buf = (s: string) => Buffer.from(s);

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('bodies', () => {
  it('decodes JSON (also without a Content-Type) and YAML', () => {
    expect(parseObjectBody('application/json; charset=utf-8', buf('{"kind":"Pod"}'))).toEqual({
      kind: 'Pod',
      metadata: {},
    });
    expect(parseObjectBody(undefined, buf('{"kind":"Pod","metadata":{"name":"a"}}')).metadata.name).toBe('a');
    expect(parseObjectBody('application/yaml', buf('kind: Pod\nmetadata:\n  name: y\n')).metadata.name).toBe(
      'y',
    );
  });

  it('rejects malformed input with 400 and unknown types with 415', () => {
    expect(apiError(() => parseObjectBody('application/json', buf('{'))).code).toBe(400);
    expect(apiError(() => parseObjectBody('application/yaml', buf('a: [\n'))).code).toBe(400);
    expect(apiError(() => parseObjectBody('application/json', buf('"text"'))).code).toBe(400);
    expect(apiError(() => parseObjectBody('application/json', buf('{"metadata":5}'))).code).toBe(400);
    expect(apiError(() => parseObjectBody('application/json', undefined)).code).toBe(400);
    expect(apiError(() => parseObjectBody('text/html', buf('<p>'))).code).toBe(415);
    expect(apiError(() => parseObjectBody('application/vnd.kubernetes.protobuf', buf('junk'))).code).toBe(
      400,
    );
  });

  it('maps patch content types and checks patch shapes', () => {
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchTypeOf('application/merge-patch+json')).toBe('merge');
    expect(patchTypeOf('application/json-patch+json')).toBe('json');
    expect(patchTypeOf('application/apply-patch+yaml')).toBe('apply');
    expect(apiError(() => patchTypeOf(undefined)).code).toBe(415);
    expect(apiError(() => patchTypeOf('application/json')).code).toBe(415);
    expect(parsePatchBody('json', buf('[{"op":"remove","path":"/a"}]'))).toHaveLength(1);
    expect(apiError(() => parsePatchBody('json', buf('{}'))).code).toBe(400);
    expect(parsePatchBody('apply', buf('kind: ConfigMap\n'))).toMatchObject({ kind: 'ConfigMap' });
  });

  it('strips media type parameters', () => {
    expect(mediaType('Application/JSON ; charset=utf-8')).toBe('application/json');
    expect(mediaType(undefined)).toBe('');
  });
});

describe('query parameters', () => {
  it('reads repeated and integer parameters', () => {
    expect(queryStrings({ command: ['a', 'b'] }, 'command')).toEqual(['a', 'b']);
    expect(queryStrings({ command: 'a' }, 'command')).toEqual(['a']);
    expect(queryInt({ n: '5' }, 'n')).toBe(5);
    expect(queryInt({}, 'n')).toBeUndefined();
    expect(apiError(() => queryInt({ n: '5s' }, 'n')).code).toBe(400);
  });

  it('accepts only dryRun=All', () => {
    expect(parseDryRun(undefined)).toBe(false);
    expect(parseDryRun('All')).toBe(true);
    expect(parseDryRun(['All'])).toBe(true);
    expect(apiError(() => parseDryRun('Yes')).code).toBe(400);
  });

  it('merges DeleteOptions from body and query', () => {
    expect(
      parseDeleteOptions(
        'application/json',
        buf('{"kind":"DeleteOptions","propagationPolicy":"Foreground"}'),
        {},
      ),
    ).toMatchObject({
      propagationPolicy: 'Foreground',
    });
    expect(
      parseDeleteOptions(undefined, undefined, { gracePeriodSeconds: '0', propagationPolicy: 'Orphan' }),
    ).toEqual({
      gracePeriodSeconds: 0,
      propagationPolicy: 'Orphan',
    });
    expect(
      parseDeleteOptions('application/json', buf('{"orphanDependents":true}'), {}).propagationPolicy,
    ).toBe('Orphan');
    expect(parseDeleteOptions(undefined, undefined, { dryRun: 'All' }).dryRun).toEqual(['All']);
    expect(
      apiError(() => parseDeleteOptions(undefined, undefined, { propagationPolicy: 'Sometimes' })).code,
    ).toBe(400);
    expect(
      apiError(() => parseDeleteOptions('application/json', buf('{"gracePeriodSeconds":1.5}'), {})).code,
    ).toBe(400);
  });
});
