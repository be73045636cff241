import { describe, expect, it } from 'vitest';
import { ApiError, invalid, notFound, required } from '../common/errors.js';
import { transportError } from '../client/http-response.js';
import { CliError, formatError, isTransportError } from './errors.js';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });

describe('formatError', () => {
  it('prints server errors as kubectl does', () => {
    expect(formatError(notFound({ group: '', resource: 'pods' }, 'x'))).toBe(
      'Error from server (NotFound): pods "x" not found',
    );
    expect(formatError(notFound({ group: 'apps', resource: 'deployments' }, 'nope'))).toBe(
      'Error from server (NotFound): deployments.apps "nope" not found',
    );
    expect(formatError(new ApiError(400, 'BadRequest', 'bad selector'))).toBe(
      'Error from server (BadRequest): bad selector',
    );
  });

  it('rebuilds Invalid messages from the causes, one or several', () => {
    const one = invalid('', 'Pod', 'x', [required('spec.containers[0].image')]);
    expect(formatError(one)).toBe('The Pod "x" is invalid: spec.containers[0].image: Required value');
    const two = invalid('apps', 'Deployment', 'bad', [required('spec.selector'), required('spec.template')]);
    expect(formatError(two)).toBe(
      'The Deployment "bad" is invalid: \n* spec.selector: Required value\n* spec.template: Required value',
    );
  });

  it('names the file and the operation for apply/delete -f', () => {
    const err = invalid('', 'Pod', 'x', [required('spec.containers[0].image')]);
    expect(formatError(err, undefined, { verb: 'creating', source: 'file.yaml' })).toBe(
      'Error from server (Invalid): error when creating "file.yaml": The Pod "x" is invalid: spec.containers[0].image: Required value',
    );
    const exists = new ApiError(409, 'AlreadyExists', 'services "web" already exists');
    expect(formatError(exists, undefined, { verb: 'creating', source: 'app.yaml' })).toBe(
      'Error from server (AlreadyExists): error when creating "app.yaml": services "web" already exists',
    );
  });

  it('explains a refused connection with the host and a hint', () => {
    const msg =
      "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port? (is 'skiff master' running?)";
    expect(formatError(transportError(refused()), 'http://127.0.0.1:6443')).toBe(msg);
    const aggregate = Object.assign(new AggregateError([refused()], ''), { code: 'ECONNREFUSED' });
    expect(formatError(transportError(aggregate), 'http://127.0.0.1:6443')).toBe(msg);
    expect(isTransportError(transportError(refused()))).toBe(true);
    expect(isTransportError(notFound({ group: '', resource: 'pods' }, 'x'))).toBe(false);
  });

  it('reports other connection failures as "Unable to connect"', () => {
    expect(formatError(transportError(new Error('socket hang up')), 'http://m:6443')).toBe(
      'Unable to connect to the server: socket hang up',
    );
  });

  it('prints unauthorized like kubectl, CLI errors verbatim and anything else as error: …', () => {
    expect(formatError(new ApiError(401, 'Unauthorized', 'Unauthorized'))).toBe(
      'error: You must be logged in to the server (Unauthorized)',
    );
    expect(formatError(new CliError('error: container nope is not valid for pod p'))).toBe(
      'error: container nope is not valid for pod p',
    );
    expect(formatError(new Error('boom'))).toBe('error: boom');
  });
});
