import { describe, expect, it } from 'vitest';
import {
  familiarName,
  formatReference,
  InvalidReferenceError,
  isRegistryHost,
  parseReference,
  registryApiHost,
  withDigest,
  withTag,
} from '../../../src/common/reference';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['nginx:1.25', 'docker.io', 'library/nginx', '1.25', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', undefined],
    ['team/app', 'docker.io', 'team/app', undefined, undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/app:v1', 'localhost:5000', 'app', 'v1', undefined],
    ['127.0.0.1:5000/team/app:20260101-7', '127.0.0.1:5000', 'team/app', '20260101-7', undefined],
    ['ghcr.io/org/sub/app', 'ghcr.io', 'org/sub/app', undefined, undefined],
    ['[::1]:5000/app:x', '[::1]:5000', 'app', 'x', undefined],
    ['Registry.Example.com/app', 'Registry.Example.com', 'app', undefined, undefined],
    [`registry.example.com/app@${DIGEST}`, 'registry.example.com', 'app', undefined, DIGEST],
    [`registry.example.com/app:1@${DIGEST}`, 'registry.example.com', 'app', '1', DIGEST],
    ['a/b__c/d.e/f-g---h', 'docker.io', 'a/b__c/d.e/f-g---h', undefined, undefined],
    [`app:${'t'.repeat(128)}`, 'docker.io', 'library/app', 't'.repeat(128), undefined],
  ])('%s', (input, registry, repository, tag, digest) => {
    const ref = parseReference(input);
    expect(ref).toEqual({
      registry,
      repository,
      ...(tag !== undefined && { tag }),
      ...(digest !== undefined && { digest }),
    });
  });

  it.each([
    ['', 'empty'],
    ['app name', 'white space'],
    [' app', 'white space'],
    ['app\n', 'white space'],
    ['app\nrm -rf /', 'white space'],
    ['app;rm', 'the character ";"'],
    ['app:1;touch /tmp/pwned', 'white space'],
    ['app:$(id)', 'the character "$"'],
    ['app`id`', 'the character "`"'],
    ['app|sh', 'the character "|"'],
    ["app'", 'the character'],
    ['app\u0000', 'control character'],
    ['app\u001b[31m', 'control character'],
    ['äpp', 'non-ASCII'],
    ['app\u200b', 'non-ASCII'],
    ['ｓlipway/app', 'non-ASCII'],
    ['Team/App', 'lowercase'],
    ['registry.example.com/App', 'lowercase'],
    ['app:', 'tag'],
    ['app:-x', 'tag'],
    ['app:.x', 'tag'],
    [`app:${'t'.repeat(129)}`, 'longer than 128'],
    ['app@sha256:abc', 'digest'],
    [`app@sha256:${'A'.repeat(64)}`, '64 lowercase hex'],
    ['/app', 'empty component'],
    ['app/', 'empty component'],
    ['a//b', 'empty component'],
    ['-app', 'invalid'],
    ['app-', 'invalid'],
    ['a..b', 'invalid'],
    ['a___b', 'invalid'],
    ['registry.example.com:99999999999999x/app', 'registry'],
    ['-bad.example.com/app', 'registry'],
    [`${'a'.repeat(256)}`, 'longer than 255'],
  ])('rejects %j', (input, reason) => {
    expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    expect(() => parseReference(input)).toThrow(reason);
  });

  it('names the value in the error, quoted so control characters are visible', () => {
    expect(() => parseReference('app\n;id')).toThrow('"app\\n;id"');
  });

  it('lowercases the repository on request, never the registry', () => {
    expect(parseReference('Registry.Example.com/Team/App', { lowercase: true })).toEqual({
      registry: 'Registry.Example.com',
      repository: 'team/app',
    });
  });

  it('refuses a tag or digest where only a repository is expected', () => {
    expect(() => parseReference('app:1', { repositoryOnly: true })).toThrow('without a tag or digest');
    expect(() => parseReference(`app@${DIGEST}`, { repositoryOnly: true })).toThrow(
      'without a tag or digest',
    );
    expect(parseReference('localhost:5000/app', { repositoryOnly: true })).toEqual({
      registry: 'localhost:5000',
      repository: 'app',
    });
  });
});

describe('formatting', () => {
  it('formats canonical and familiar names', () => {
    const ref = parseReference('nginx:1');
    expect(formatReference(ref)).toBe('docker.io/library/nginx:1');
    expect(familiarName(ref)).toBe('nginx:1');
    expect(familiarName(parseReference('team/app'))).toBe('team/app');
    expect(familiarName(parseReference('ghcr.io/o/app:2'))).toBe('ghcr.io/o/app:2');
  });

  it('round-trips through parse and format', () => {
    for (const input of ['127.0.0.1:5000/a/b:c', `ghcr.io/o/app:1@${DIGEST}`, 'docker.io/library/nginx']) {
      expect(formatReference(parseReference(formatReference(parseReference(input))))).toBe(
        formatReference(parseReference(input)),
      );
    }
  });

  it('replaces tags and digests', () => {
    const ref = parseReference(`ghcr.io/o/app:1@${DIGEST}`);
    expect(formatReference(withTag(ref, 'v2'))).toBe('ghcr.io/o/app:v2');
    expect(formatReference(withDigest(ref, DIGEST))).toBe(`ghcr.io/o/app@${DIGEST}`);
    expect(() => withTag(ref, 'bad tag')).toThrow(InvalidReferenceError);
    expect(() => withDigest(ref, 'sha256:1')).toThrow(InvalidReferenceError);
  });

  it('maps docker.io to its API host', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});

describe('isRegistryHost', () => {
  it('accepts host[:port] as references name registries, and nothing else', () => {
    for (const ok of ['ghcr.io', 'localhost:5000', '127.0.0.1:5001', '[::1]:5000', 'registry-1.docker.io']) {
      expect(isRegistryHost(ok), ok).toBe(true);
    }
    for (const bad of ['bad host', '-x.io', 'x.io:0', 'x.io:70000', 'x.io/path', 'x.io;rm', '']) {
      expect(isRegistryHost(bad), bad).toBe(false);
    }
  });
});
