/**
 * The single place where an argv array becomes a string for a POSIX shell (the remote side of an
 * SSH exec request, which always goes through the user's login shell). Every argument is quoted,
 * so no value can be interpreted by that shell: `;`, `$(…)`, backticks, newlines and quotes are
 * all passed through literally.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell. */
export function quoteArg(arg: string): string {
  if (arg.includes('\0')) throw new Error('an argument contains a NUL byte, which no command line can carry');
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(key: string): void {
  if (!ENV_NAME.test(key)) throw new Error(`invalid environment variable name ${JSON.stringify(key)}`);
}

/**
 * `export NAME='value'` lines for a POSIX shell to evaluate (sent on stdin, never on a command line):
 * every value quoted, so it arrives byte for byte.
 */
export function toExportLines(env: ReadonlyArray<readonly [string, string]>): string {
  return env
    .map(([key, value]) => {
      checkName(key);
      return `export ${key}=${quoteArg(value)}\n`;
    })
    .join('');
}

/** Joins argv into one shell command line, every argument quoted. */
export function toShellLine(argv: readonly string[], env?: Readonly<Record<string, string>>): string {
  if (argv.length === 0) throw new Error('empty command');
  const prefix: string[] = [];
  if (env && Object.keys(env).length > 0) {
    prefix.push('env');
    for (const [key, value] of Object.entries(env)) {
      checkName(key);
      prefix.push(quoteArg(`${key}=${value}`));
    }
  }
  return [...prefix, ...argv.map(quoteArg)].join(' ');
}
