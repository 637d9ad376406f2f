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

/** Joins argv into one shell command line, every argument quoted. */
export function toShellLine(argv: readonly string[], env?: Readonly<Record<string, string>>): string {
  if (argv.length === 0) throw new Error('empty command');
  const prefix: string[] = [];
  if (env && Object.keys(env).length > 0) {
    prefix.push('env');
    for (const [key, value] of Object.entries(env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
        throw new Error(`invalid environment variable name ${JSON.stringify(key)}`);
      prefix.push(quoteArg(`${key}=${value}`));
    }
  }
  return [...prefix, ...argv.map(quoteArg)].join(' ');
}
