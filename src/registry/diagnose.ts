/**
 * What went wrong on the way to a registry, in words: a refused connection, a certificate nobody
 * trusts, a server that does not speak TLS. Pure functions over Node's network and TLS errors.
 */

export type RegistryRole = 'source' | 'destination';

export type NetworkCauseKind =
  'refused' | 'unreachable' | 'dns' | 'timeout' | 'reset' | 'tls-trust' | 'not-tls' | 'tls' | 'other';

export interface NetworkCause {
  readonly kind: NetworkCauseKind;
  /** The cause in words, e.g. "cannot connect (connection refused)". */
  readonly text: string;
  /** Worth another attempt later in an operation (never a certificate or a wrong protocol). */
  readonly transient: boolean;
}

/** Certificate verification failures (Node's/OpenSSL's codes). */
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** "registry host:port", or "source registry host:port" when the role is known. */
export function registryLabel(registry: string, role?: RegistryRole): string {
  return `${role ? `${role} ` : ''}registry ${registry}`;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/** Classifies a failed request (no HTTP answer) into a cause a person can act on. */
export function classifyNetworkError(error: unknown): NetworkCause {
  const code = codeOf(error);
  // Node's hint about --use-system-ca is not ours to give: ca-file and insecure are.
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /; if the root CA is installed locally.*$/s,
    '',
  );
  if (code === 'ECONNREFUSED')
    return {
      kind: 'refused',
      text: 'cannot connect (connection refused: nothing listens there)',
      transient: true,
    };
  if (code === 'ENOTFOUND') return { kind: 'dns', text: 'cannot connect (host not found)', transient: false };
  if (code === 'EAI_AGAIN')
    return { kind: 'dns', text: 'cannot connect (name lookup failed)', transient: true };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { kind: 'unreachable', text: `cannot connect (${code}: no route)`, transient: true };
  if (code === 'ETIMEDOUT' || /timed out/i.test(message))
    return { kind: 'timeout', text: `cannot connect (timed out)`, transient: true };
  if (TLS_TRUST_CODES.has(code))
    return {
      kind: 'tls-trust',
      text: `TLS: certificate not trusted (use ca-file or insecure): ${message}`,
      transient: false,
    };
  if (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    code === 'ERR_SSL_HTTP_REQUEST' ||
    /wrong version number|packet length too long|http request/i.test(message)
  )
    return {
      kind: 'not-tls',
      text: 'TLS: the registry does not answer HTTPS (list it in insecure to use plain HTTP)',
      transient: false,
    };
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO')
    return { kind: 'tls', text: `TLS: ${message}`, transient: false };
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /socket hang up|ECONNRESET|other side closed/i.test(message)
  )
    return { kind: 'reset', text: `connection lost (${code || message})`, transient: true };
  return { kind: 'other', text: message, transient: false };
}
