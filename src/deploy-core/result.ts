/** What a deploy reports, whatever the mode: per host, what ran before, what runs now, how long it took. */
import type { Verification } from '../supply-chain/verify';

export interface DeployContext {
  readonly holder: string;
  readonly runUrl: string;
  readonly commit: string;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  /** Aborted when the run is cancelled (SIGINT/SIGTERM) or its lock was lost: stop starting new work. */
  readonly signal?: AbortSignal;
  /** Called when a host's lease was found taken over: aborts `signal`. */
  readonly onLockLost?: (error: Error) => void;
}

/** `rerouted`: the version kept running; only its routes in the shared proxy changed. */
export type HostOutcome =
  'deployed' | 'unchanged' | 'rerouted' | 'rolled-back' | 'failed' | 'reverted' | 'planned';

export interface HostResult {
  readonly host: string;
  readonly previous: string | null;
  readonly image: string | null;
  readonly container: string | null;
  readonly durationMs: number;
  readonly result: HostOutcome;
  readonly error?: string;
  /** Where the time went on this host: pulling the image, and waiting for the new version's health. */
  readonly pullMs?: number;
  readonly healthMs?: number;
  /** How long the old version took to stop (its own graceful shutdown). */
  readonly stopMs?: number;
  /** Stacks (Compose, Swarm): what changed per service. */
  readonly services?: readonly ServiceChange[];
}

/** One service of a stack on one host (or of a swarm). */
export interface ServiceChange {
  readonly service: string;
  readonly previous: string | null;
  readonly image: string | null;
  /** True when its containers were replaced in this run. */
  readonly restarted: boolean;
}

export interface DeployResult {
  /** The deployed digest (for a stack: the first image's). */
  readonly digest: string;
  /** Stacks: service → repo@sha256:… as pinned. */
  readonly images?: Readonly<Record<string, string>>;
  readonly changed: boolean;
  readonly hosts: readonly HostResult[];
  readonly previousImage: string | null;
  /** What was verified before any host was touched (verify-key). */
  readonly verified?: readonly Verification[];
}

export class DeployError extends Error {
  readonly hosts: readonly HostResult[];
  constructor(message: string, hosts: readonly HostResult[]) {
    super(message);
    this.name = 'DeployError';
    this.hosts = hosts;
  }
}
