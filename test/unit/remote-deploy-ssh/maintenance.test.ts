import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import {
  DEFAULT_PAGE,
  maintenanceCaddyfile,
  readMaintenanceRequest,
} from '../../../src/remote-deploy-ssh/maintenance';

const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);

describe('maintenance mode', () => {
  it('answers every request with the page, 503, Retry-After and no caching, on the port the proxies dial', () => {
    const text = maintenanceCaddyfile(8080, 120);
    expect(text).toContain(':8080 {');
    expect(text).toContain('\theader Retry-After "120"');
    expect(text).toContain('\theader Cache-Control "no-store"');
    expect(text).toContain('\trewrite * /maintenance.html');
    expect(text).toMatch(/file_server \{\n\t\tstatus 503\n\t\}/);
    expect(text).toContain('admin off');
  });

  it('needs the port; the page defaults to a plain one; retry-after is bounded seconds', () => {
    const request = readMaintenanceRequest(inputs({ port: '8080' }));
    expect(request).toMatchObject({ port: 8080, page: DEFAULT_PAGE, retryAfterS: 300 });
    expect(readMaintenanceRequest(inputs({ port: '8080', 'maintenance-page': '<p>x</p>' })).page).toBe(
      '<p>x</p>\n',
    );
    expect(() => readMaintenanceRequest(inputs({}))).toThrow('input "port"');
    expect(() => readMaintenanceRequest(inputs({ port: '8080', 'retry-after': '0' }))).toThrow(
      'input "retry-after": must be at least 1',
    );
    expect(() =>
      readMaintenanceRequest(inputs({ port: '8080', 'maintenance-page': 'x'.repeat(600 * 1024) })),
    ).toThrow('input "maintenance-page": is larger than 512 KiB');
  });
});
