import { describe, expect, it } from 'vitest';
import { caddyfile } from '../../../src/deploy-core/caddy';

describe('proxy configuration', () => {
  it('proxies the site to the upstream', () => {
    const config = caddyfile('web-abc123-20260101', 8080);
    expect(config).toContain('reverse_proxy web-abc123-20260101:8080');
    expect(config).toContain('auto_https off');
    expect(() => caddyfile('web; rm', 8080)).toThrow('invalid upstream');
  });
});
