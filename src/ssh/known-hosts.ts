/**
 * known_hosts parsing and matching (OpenSSH format): plain and hashed (|1|salt|hash) host
 * patterns, [host]:port for non-standard ports, wildcards and negation, @revoked markers.
 * Host keys are pinned: a host with no matching line is refused, never trusted on first use.
 */
import { createHmac } from 'node:crypto';

export interface KnownHostKey {
  readonly type: string;
  /** The key blob, base64 as written in known_hosts. */
  readonly key: string;
}

interface Entry {
  readonly marker?: '@revoked' | '@cert-authority';
  readonly patterns: readonly string[];
  readonly type: string;
  readonly key: string;
}

export class KnownHosts {
  private readonly entries: readonly Entry[];

  private constructor(entries: readonly Entry[]) {
    this.entries = entries;
  }

  /** Parses known_hosts text; malformed lines are errors naming the line number. */
  static parse(text: string): KnownHosts {
    const entries: Entry[] = [];
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      let marker: Entry['marker'];
      if (fields[0]?.startsWith('@')) {
        if (fields[0] !== '@revoked' && fields[0] !== '@cert-authority') {
          throw new Error(`known-hosts line ${index + 1}: unknown marker ${fields[0]}`);
        }
        marker = fields.shift() as Entry['marker'];
      }
      const [hosts, type, key] = fields;
      if (!hosts || !type || !key || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
        throw new Error(`known-hosts line ${index + 1}: expected "host[,host…] key-type base64-key"`);
      }
      entries.push({ ...(marker && { marker }), patterns: hosts.split(','), type, key });
    });
    return new KnownHosts(entries);
  }

  /** Keys pinned for host:port (revoked and CA lines excluded). */
  keysFor(host: string, port = 22): KnownHostKey[] {
    const name = hostName(host, port);
    return this.entries
      .filter((e) => e.marker === undefined && matches(e.patterns, name))
      .map(({ type, key }) => ({ type, key }));
  }

  /** Whether the key the server presented is pinned for host:port and not revoked. */
  verify(host: string, port: number, presented: Buffer): { ok: true } | { ok: false; reason: string } {
    const key = presented.toString('base64');
    const name = hostName(host, port);
    if (this.entries.some((e) => e.marker === '@revoked' && e.key === key)) {
      return { ok: false, reason: `the host key of ${name} is marked @revoked` };
    }
    const pinned = this.keysFor(host, port);
    if (pinned.length === 0)
      return { ok: false, reason: `no known-hosts entry for ${name} (host keys must be pinned)` };
    if (pinned.some((k) => k.key === key)) return { ok: true };
    return {
      ok: false,
      reason: `HOST KEY MISMATCH for ${name}: it presented a ${keyType(presented)} key that is not in known-hosts (pinned: ${pinned.map((k) => k.type).join(', ')})`,
    };
  }

  /** Host key algorithms to offer for host:port, from the pinned key types. */
  algorithmsFor(host: string, port = 22): string[] {
    const algorithms = new Set<string>();
    for (const { type } of this.keysFor(host, port)) {
      if (type === 'ssh-rsa') for (const a of ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']) algorithms.add(a);
      else algorithms.add(type);
    }
    return [...algorithms];
  }
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" otherwise. */
export function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('|1|')) {
      if (hashedMatches(pattern, name)) matched = true;
      continue;
    }
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (globMatches(glob.toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

function globMatches(glob: string, name: string): boolean {
  const re = new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(name);
}

/** The key type named inside an SSH public key blob. */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}
