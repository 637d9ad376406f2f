import { describe, expect, it } from 'vitest';
import { caddyCommand } from '../../../src/proxy/caddy-commands';

describe('the proxy program', () => {
  it('runs and reloads Caddy with a Caddyfile', () => {
    expect(caddyCommand('run', '/etc/caddy/Caddyfile')).toEqual([
      'caddy',
      'run',
      '--config',
      '/etc/caddy/Caddyfile',
      '--adapter',
      'caddyfile',
    ]);
    expect(caddyCommand('reload', '/c')[1]).toBe('reload');
  });
});
