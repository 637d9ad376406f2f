import { describe, expect, it } from 'vitest';
import { classifyNetworkError, registryLabel } from '../../../src/registry/diagnose';
import { isRetryableError, RegistryError } from '../../../src/registry/client';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('network errors in words', () => {
  it.each([
    [
      err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
      'refused',
      /^cannot connect \(connection refused/,
    ],
    [err('ENOTFOUND'), 'dns', /^cannot connect \(host not found\)/],
    [err('ETIMEDOUT'), 'timeout', /^cannot connect \(timed out\)/],
    [new Error('GET 127.0.0.1:1/v2/: timed out'), 'timeout', /timed out/],
    [
      err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'tls-trust',
      /^TLS: certificate not trusted \(use ca-file or insecure\)/,
    ],
    [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls-trust', /use ca-file or insecure/],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls-trust', /use ca-file or insecure/],
    [
      err('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number'),
      'not-tls',
      /does not answer HTTPS/,
    ],
    [
      err('EPROTO', 'SSL routines:ssl3_get_record:packet length too long'),
      'not-tls',
      /does not answer HTTPS/,
    ],
    [err('ECONNRESET', 'read ECONNRESET'), 'reset', /connection lost/],
    [new Error('socket hang up'), 'reset', /connection lost/],
    [new Error('something else'), 'other', /something else/],
  ])('%s is %s', (error, kind, text) => {
    const cause = classifyNetworkError(error);
    expect(cause.kind).toBe(kind);
    expect(cause.text).toMatch(text);
  });

  it('never calls a certificate or a wrong protocol transient', () => {
    expect(classifyNetworkError(err('SELF_SIGNED_CERT_IN_CHAIN')).transient).toBe(false);
    expect(classifyNetworkError(err('ERR_SSL_WRONG_VERSION_NUMBER')).transient).toBe(false);
    expect(classifyNetworkError(err('ECONNRESET')).transient).toBe(true);
  });

  it('names the role when it is known', () => {
    expect(registryLabel('r.example.com:5000', 'destination')).toBe(
      'destination registry r.example.com:5000',
    );
    expect(registryLabel('r.example.com')).toBe('registry r.example.com');
  });

  it('retries what is transient: network flags first, then HTTP statuses', () => {
    expect(isRetryableError(new RegistryError('x', 0, undefined, false))).toBe(false);
    expect(isRetryableError(new RegistryError('x', 0, undefined, true))).toBe(true);
    expect(isRetryableError(new RegistryError('x', 503))).toBe(true);
    expect(isRetryableError(new RegistryError('x', 401))).toBe(false);
    expect(isRetryableError(err('ECONNRESET'))).toBe(true);
  });
});
