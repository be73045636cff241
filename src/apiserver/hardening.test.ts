// Hardened input: body decoding limits, every error as a Status, warnings as headers, request timeouts.
// (Watch limits and slow clients: watch-limits.test.ts; the property test over everything: fuzz.test.ts.)
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/errors.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { errorHandler, toApiError } from './error-handler.js';
import { checkDecodedValue, MAX_DEPTH, parseObjectBody, parsePatchBody } from './request-parsing.js';
import { REQUEST_TIMEOUT_MS } from './request-timeout.js';
import { harness, pod } from './test-support.js';
import { warningHeaderValues } from './warnings.js';

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

describe('body decoding limits', () => {
  it('YAML: one document per request, no alias bombs, no .inf/.nan', () => {
    const two = apiError(() => parseObjectBody('application/yaml', buf('kind: Pod\n---\nkind: Pod\n')));
    expect(two.message).toBe('the request body holds 2 YAML documents; send one object per request');
    expect(apiError(() => parseObjectBody('application/yaml', buf('# only a comment\n'))).code).toBe(400);
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const p = String.fromCharCode(97 + i - 1);
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${p}`).join(',')}]`,
      );
    }
    const bomb = apiError(() =>
      parseObjectBody('application/yaml', buf(`${laughs.join('\n')}\nkind: Pod\n`)),
    );
    expect(bomb.code).toBe(400);
    expect(bomb.message).toMatch(/alias/i);
    expect(
      apiError(() => parseObjectBody('application/yaml', buf('kind: Pod\nspec: {replicas: .inf}\n'))).message,
    ).toBe('the request body holds a number out of range');
    // A few aliases are ordinary YAML.
    const ok = parseObjectBody(
      'application/yaml',
      buf('kind: Pod\nmetadata: {labels: &l {a: b}, annotations: *l}\n'),
    );
    expect(ok.metadata.annotations).toEqual({ a: 'b' });
  });

  it('JSON: numbers beyond float64 and deep nesting are refused, iteratively', () => {
    expect(apiError(() => parseObjectBody('application/json', buf('{"spec":{"replicas":1e400}}'))).code).toBe(
      400,
    );
    const deep = `{"spec":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(apiError(() => parseObjectBody('application/json', buf(deep))).message).toBe(
      `the request body is nested more than ${MAX_DEPTH} levels deep`,
    );
    expect(apiError(() => parsePatchBody('merge', buf(deep))).code).toBe(400);
    const fine = `{"a":${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}}`;
    expect(() => parseObjectBody('application/json', buf(fine))).not.toThrow();
    expect(() => checkDecodedValue(new Map())).toThrow(ApiError);
  });

  it('prototype-polluting keys stay plain data', () => {
    const obj = parseObjectBody(
      'application/json',
      buf('{"kind":"Pod","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
    );
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('every error is a Status', () => {
  it('maps HTTP-layer errors to their 4xx and everything else to a 500 without a stack', () => {
    const aborted = Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400 });
    expect(toApiError(aborted)).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(toApiError(Object.assign(new Error('x'), { status: 408 }))).toMatchObject({
      code: 408,
      reason: 'Timeout',
    });
    expect(
      toApiError(Object.assign(new Error('bad charset'), { type: 'charset.unsupported' })),
    ).toMatchObject({ code: 415 });
    expect(toApiError(new TypeError('boom'))).toMatchObject({
      code: 500,
      message: 'Internal error occurred: boom',
    });
    expect(toApiError('a string')).toMatchObject({ code: 500 });
    expect(toApiError(undefined)).toMatchObject({ code: 500 });
    expect(toApiError(new ApiError(200 as number, 'BadRequest', 'odd'))).toMatchObject({ code: 500 });
  });

  it('the handler answers thrown values, 429s with Retry-After, and ends started streams', async () => {
    const logger = new RecordingLogger();
    const app = express();
    app.get('/type-error', () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    app.get('/throw-string', () => {
      throw 'not an Error';
    });
    app.get('/busy', () => {
      throw new ApiError(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 2 });
    });
    app.get('/stream', (_req, res) => {
      res.write('partial');
      throw new Error('mid-stream');
    });
    app.use(errorHandler(logger));
    const typeError = await request(app).get('/type-error').expect(500);
    expect(typeError.body).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    expect(JSON.stringify(typeError.body)).not.toMatch(/\bat .*:\d+/);
    expect((await request(app).get('/throw-string').expect(500)).body.message).toBe(
      'Internal error occurred: not an Error',
    );
    const busy = await request(app).get('/busy').expect(429);
    expect(busy.headers['retry-after']).toBe('2');
    expect(busy.body.details).toEqual({ retryAfterSeconds: 2 });
    expect((await request(app).get('/stream')).text).toBe('partial');
  });

  it('sends warnings collected before an error with the error', async () => {
    const { app } = await harness();
    const res = await request(app)
      .post('/api/v1/namespaces/default/pods')
      .send({ ...pod('Bad'), extra: 1 })
      .expect(422);
    expect(res.headers.warning).toBe('299 - "unknown field \\"extra\\""');
  });
});

describe('names and selectors in URLs', () => {
  it('answer like upstream: 404 for names that cannot exist, 400 for bad selectors, an empty list elsewhere', async () => {
    const { app } = await harness();
    for (const name of ['Bad_Name', '..', '%2F', '__proto__', 'x'.repeat(300)]) {
      const url = `/api/v1/namespaces/default/pods/${name}`;
      for (const res of [
        await request(app).get(url),
        await request(app)
          .put(url)
          .send({ ...pod(''), metadata: {} }),
        await request(app).patch(url).set('Content-Type', 'application/merge-patch+json').send('{}'),
        await request(app).delete(url),
      ]) {
        expect([res.status, res.body.kind]).toEqual([404, 'Status']);
      }
    }
    const created = await request(app).post('/api/v1/namespaces/Bad_NS/pods').send(pod('p')).expect(404);
    expect(created.body.message).toBe('namespaces "Bad_NS" not found');
    const applied = await request(app)
      .patch('/api/v1/namespaces/default/pods/Bad_Name')
      .set('Content-Type', 'application/apply-patch+yaml')
      .send(JSON.stringify(pod('Bad_Name')))
      .expect(422);
    expect(applied.body.details.causes[0].field).toBe('metadata.name');
    const selector = await request(app)
      .get('/api/v1/pods')
      .query({ labelSelector: 'app in (a b' })
      .expect(400);
    expect(selector.body.reason).toBe('BadRequest');
    await request(app).get('/api/v1/pods').query({ labelSelector: 'app=Not Valid' }).expect(400);
    expect((await request(app).get('/api/v1/namespaces/Bad_NS/pods').expect(200)).body.items).toEqual([]);
  });
});

// Found by fuzz.test.ts: messages built with template literals or String() threw a TypeError (a 500) on a
// client-sent object with its own `toString` key.
describe('client values with their own toString key', () => {
  const evil = JSON.parse('{"toString":"x","valueOf":1}');
  const PODS_URL = '/api/v1/namespaces/default/pods';

  it('are shown as JSON in 400s, and the server keeps serving', async () => {
    const { app, store } = await harness();
    const created = (await request(app).post(PODS_URL).send(pod('p')).expect(201)).body;
    const before = await store.revision();
    const put = await request(app)
      .put(`${PODS_URL}/p`)
      .send({ ...created, metadata: { ...created.metadata, name: [evil] } })
      .expect(400);
    expect(put.body.message).toBe(
      'the name of the object ([{"toString":"x","valueOf":1}]) does not match the name on the URL (p)',
    );
    const uid = await request(app)
      .put(`${PODS_URL}/p`)
      .send({ ...created, metadata: { ...created.metadata, uid: evil } })
      .expect(409);
    expect(uid.body.message).toContain('UID in precondition: {"toString":"x","valueOf":1}');
    await request(app)
      .delete(`${PODS_URL}/p`)
      .send({ preconditions: { resourceVersion: evil } })
      .expect(409);
    const binding = await request(app)
      .post(`${PODS_URL}/p/binding`)
      .send({ apiVersion: 'v1', kind: 'Binding', metadata: { name: evil }, target: { name: 'n1' } })
      .expect(400);
    expect(binding.body.message).toContain('the name of the object ({"toString":"x","valueOf":1})');
    await request(app)
      .post(`${PODS_URL}/p/binding`)
      .send({ target: { name: 'n1', kind: evil } })
      .expect(400);
    await request(app)
      .post(`${PODS_URL}/p/eviction`)
      .send({ apiVersion: evil, kind: 'Eviction', metadata: { name: 'p' } })
      .expect(400);
    expect(await store.revision()).toBe(before);
  });
});

describe('Warning headers', () => {
  it('quote, deduplicate and keep non-ASCII as UTF-8', () => {
    expect(warningHeaderValues(['a "b"', 'a "b"', 'c\\d\nx'])).toEqual([
      '299 - "a \\"b\\""',
      '299 - "c\\\\d x"',
    ]);
    const [value] = warningHeaderValues(['unknown field "ü"']);
    expect(Buffer.from(value, 'latin1').toString('utf8')).toBe('299 - "unknown field \\"ü\\""');
  });

  it('cut long lists to upstream’s 4096 characters', () => {
    const many = Array.from({ length: 100 }, (_, i) => `${i}:${'x'.repeat(300)}`);
    const values = warningHeaderValues(many);
    expect(values.length).toBeLessThan(100);
    expect(values.every((v) => v.length <= 256 + 10)).toBe(true);
  });
});

describe('request timeout', () => {
  it('answers 504 Timeout when a request is not done after 60 s; the server keeps serving', async () => {
    const { app, store, clock } = await harness();
    await request(app).get('/api/v1/namespaces/default/pods').expect(200); // the app has seeded its namespaces
    const get = store.get.bind(store);
    let waiting = false;
    store.get = (key) => {
      if (key.name !== 'x') return get(key);
      waiting = true;
      return new Promise(() => undefined);
    };
    const pending = request(app)
      .get('/api/v1/namespaces/default/pods/x')
      .then((r) => r);
    while (!waiting) await new Promise((r) => setTimeout(r, 5));
    await clock.advance(REQUEST_TIMEOUT_MS - 1);
    await clock.advance(1);
    const res = await pending;
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({
      kind: 'Status',
      reason: 'Timeout',
      code: 504,
      message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
    });
    store.get = get;
    await request(app).get('/api/v1/namespaces/default/pods/x').expect(404);
    expect(clock.pending()).toBe(0); // finished requests leave no timers behind
  });
});
