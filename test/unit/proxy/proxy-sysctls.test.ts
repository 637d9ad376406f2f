import { describe, expect, it } from 'vitest';
import { parseApiVersion } from '../../../src/docker/engine';
import { ARP_RETRY_MS, arpRetrySysctls } from '../../../src/proxy/proxy-sysctls';

describe("a service's proxy asks again soon for a version's address (issue 32)", () => {
  it('reads the engine API version as a number', () => {
    expect(parseApiVersion('1.41\n')).toBe(1.41);
    expect(parseApiVersion('1.52')).toBe(1.52);
    expect(parseApiVersion('1.9')).toBeLessThan(parseApiVersion('1.41') as number);
    expect(parseApiVersion('')).toBeUndefined();
    expect(parseApiVersion('library-import')).toBeUndefined();
  });

  it('sets the fast ARP retry where the engine takes it as a --sysctl (before API 1.44)', () => {
    expect(arpRetrySysctls(1.41)).toEqual({ 'net.ipv4.neigh.eth0.retrans_time_ms': String(ARP_RETRY_MS) });
    expect(arpRetrySysctls(1.43)).toEqual({ 'net.ipv4.neigh.eth0.retrans_time_ms': String(ARP_RETRY_MS) });
    // Later engines refuse an interface's setting as --sysctl (and from Docker 28 announce addresses).
    expect(arpRetrySysctls(1.44)).toEqual({});
    expect(arpRetrySysctls(1.52)).toEqual({});
    expect(arpRetrySysctls(undefined)).toEqual({});
    // Well under the kernel's 1 s, above a bridge's round trip.
    expect(ARP_RETRY_MS).toBeLessThan(250);
  });
});
