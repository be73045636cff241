import { describe, expect, it } from 'vitest';
import { messageOf, splitRef } from './docker-container-runtime.js';

describe('Docker adapter helpers', () => {
  it('keeps the engine message and drops docker-modem wrapping', () => {
    const wrapped = Object.assign(
      new Error(
        '(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: no such host ',
      ),
      {
        statusCode: 500,
      },
    );
    expect(messageOf(wrapped)).toBe('Get "https://registry-1.docker.io/v2/": dial tcp: no such host');
    expect(
      messageOf({ json: { message: 'No such image: x:1' }, message: '(HTTP code 404) no such image - ...' }),
    ).toBe('No such image: x:1');
    expect(messageOf(new Error('plain'))).toBe('plain');
  });

  it('splits image references into repository and tag', () => {
    expect(splitRef('skiff/pause:3.10')).toEqual({ repo: 'skiff/pause', tag: '3.10' });
    expect(splitRef('localhost:5000/app')).toEqual({ repo: 'localhost:5000/app', tag: 'latest' });
    expect(splitRef('localhost:5000/app:v2')).toEqual({ repo: 'localhost:5000/app', tag: 'v2' });
  });
});
