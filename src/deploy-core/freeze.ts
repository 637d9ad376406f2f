/**
 * The deploy freeze of a service on one host (`slipway lock acquire --message …`): a record in the
 * service's directory, `~/.slipway/<service>/freeze.json`, that every deploy, rollback and removal
 * reads once it holds the deploy lease, and refuses to go on while it is there (a rollback only goes
 * through with `force`). Unlike the lease it has no clock: it never expires, and it survives a
 * reboot of the host (a file on its disk). It is taken while holding the deploy lease of every host
 * (so a deploy already running finishes first and none starts after), and is written atomically: a
 * complete record is hard-linked into place, which fails while another freeze is there.
 * Each step is one constant script run with `sh -c`; the directory and id are its positional
 * arguments, the record comes on stdin.
 */
import type { Runner } from '../command/command';
import { InputError, type Inputs } from '../common/inputs';
import { hasControlCharacter } from '../common/text';

export interface FreezeRecord {
  /** Who froze it (the actor and repository, or the user on a laptop). */
  readonly holder: string;
  /** When, ISO 8601. */
  readonly time: string;
  readonly message: string;
  /** The run that froze it ('' from a laptop). */
  readonly run: string;
}

export const FREEZE_FILE = 'freeze.json';

/**
 * $1 dir, $2 our id (record on stdin). 0: frozen by us; 3: another freeze is there (printed);
 * 2: the record could not be written.
 */
const ACQUIRE = `set -u
d=$1; f="$d/${FREEZE_FILE}"; t="$d/${FREEZE_FILE}.new-$2"
mkdir -p "$d" && cat > "$t" || { rm -f "$t"; exit 2; }
# A client killed before its stdin was sent leaves a cut record: never put in place.
if [ "$(tail -c 1 "$t")" != "}" ]; then rm -f "$t"; echo "the freeze record arrived incomplete" >&2; exit 2; fi
if ln "$t" "$f" 2>/dev/null; then rm -f "$t"; exit 0; fi
rm -f "$t"; cat "$f"; exit 3`;

/** $1 dir. Prints the record that was there (nothing when there was none), then removes it. */
const RELEASE = `set -u
f="$1/${FREEZE_FILE}"
[ -e "$f" ] || exit 4
cat "$f" && rm -f "$f"`;

/** $1 dir. 0 with the record; 4: no freeze. */
const READ = `f="$1/${FREEZE_FILE}"; [ -e "$f" ] || exit 4; cat "$f"`;

function sh(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'slipway-freeze', ...args];
}

/** A record as found on a host; an unreadable one is still a freeze (its text says so). */
export function parseFreeze(text: string): FreezeRecord {
  try {
    const parsed = JSON.parse(text) as Partial<FreezeRecord>;
    return {
      holder: typeof parsed.holder === 'string' ? parsed.holder : 'someone',
      time: typeof parsed.time === 'string' ? parsed.time : '?',
      message: typeof parsed.message === 'string' ? parsed.message : '',
      run: typeof parsed.run === 'string' ? parsed.run : '',
    };
  } catch {
    return {
      holder: 'someone',
      time: '?',
      message: `(an unreadable freeze record: ${text.slice(0, 200)})`,
      run: '',
    };
  }
}

/** How a freeze is named in errors and the status: who, since when, why, from which run. */
export function describeFreeze(record: FreezeRecord): string {
  return `frozen by ${record.holder} since ${record.time}${record.message ? `: ${JSON.stringify(record.message)}` : ''}${record.run ? ` (${record.run})` : ''}`;
}

/** The freeze of one service on one host. */
export class HostFreeze {
  private readonly runner: Runner;
  /** The service's directory on the host (relative to the deploy user's home). */
  readonly dir: string;

  constructor(runner: Runner, dir: string) {
    this.runner = runner;
    this.dir = dir;
  }

  /** Freezes; when a freeze is already there, it stays as it is and is returned. */
  async acquire(record: FreezeRecord, id: string): Promise<true | FreezeRecord> {
    const result = await this.runner.run({
      argv: sh(ACQUIRE, this.dir, id),
      stdin: `${JSON.stringify(record)}`,
    });
    if (result.exitCode === 0) return true;
    if (result.exitCode === 3) return parseFreeze(result.stdout);
    throw new Error(`${this.runner.where}: cannot write the freeze in ${this.dir}: ${result.stderr.trim()}`);
  }

  /** Lifts the freeze, whoever set it; returns what it was (undefined: there was none). */
  async release(): Promise<FreezeRecord | undefined> {
    const result = await this.runner.run({ argv: sh(RELEASE, this.dir) });
    if (result.exitCode === 4) return undefined;
    if (result.exitCode !== 0)
      throw new Error(
        `${this.runner.where}: cannot remove the freeze in ${this.dir}: ${result.stderr.trim()}`,
      );
    return parseFreeze(result.stdout);
  }

  async read(): Promise<FreezeRecord | undefined> {
    const result = await this.runner.run({ argv: sh(READ, this.dir) });
    if (result.exitCode === 4) return undefined;
    if (result.exitCode !== 0)
      throw new Error(`${this.runner.where}: cannot read the freeze in ${this.dir}: ${result.stderr.trim()}`);
    return parseFreeze(result.stdout);
  }
}

/** A deploy (or rollback, or removal) refused because the service is frozen on a host. */
export class FrozenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrozenError';
  }
}

/** What a refusal reads: the service's directory on one host, through its connection. */
export interface ServiceOnHost {
  readonly runner: Runner;
  readonly dir: string;
  readonly name: string;
  readonly where: string;
}

/**
 * Called holding the deploy lease of every host: refuses (FrozenError naming the holder, time and
 * message) when the service is frozen on any of them. A rollback with `force` goes through, said
 * in the log.
 */
export async function refuseIfFrozen(
  sessions: readonly ServiceOnHost[],
  request: { readonly rollback?: boolean; readonly force?: boolean },
  log: (line: string) => void,
): Promise<void> {
  const found = await Promise.all(
    sessions.map(async (s) => ({ session: s, freeze: await new HostFreeze(s.runner, s.dir).read() })),
  );
  const frozen = found.filter((f) => f.freeze !== undefined);
  const first = frozen[0];
  if (!first?.freeze) return;
  const what = `${first.session.where}: ${first.session.name} is ${describeFreeze(first.freeze)}`;
  if (request.rollback && request.force) {
    log(`${what}; rolling back anyway (force)`);
    return;
  }
  const others = frozen.length > 1 ? ` (and on ${frozen.length - 1} more host(s))` : '';
  throw new FrozenError(
    `${what}${others}; deploys are refused until it is released (slipway lock release, or operation lock-release)${request.rollback ? '; a rollback goes through with force: true' : ''}`,
  );
}

export const MESSAGE_MAX = 500;

/** The freeze's message: required, one line of text. Nothing secret belongs in it (it is shown to everyone). */
export function readFreezeMessage(inputs: Inputs): string {
  const message = inputs.string('message');
  if (!message)
    throw new InputError(
      'message',
      'is required to freeze deploys: say why (it is shown to every deploy refused)',
    );
  if (hasControlCharacter(message) || message.includes('\n'))
    throw new InputError('message', 'must be one line of text without control characters');
  if (message.length > MESSAGE_MAX)
    throw new InputError('message', `is longer than ${MESSAGE_MAX} characters`);
  return message;
}
