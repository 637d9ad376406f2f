/** The docker --env-file format: what it can carry, and the file's content. */

/** bufio.Scanner's longest line: docker cannot read a longer line of an env file. */
const ENV_FILE_LINE_MAX = 64 * 1024 - 1;

/**
 * Why docker's --env-file cannot carry NAME=value exactly, or undefined when it can. Docker reads
 * each line literally (no quotes, no $ expansion, the value not trimmed), but a line ends at a
 * newline, a carriage return before it is dropped, and the file must be UTF-8 with short lines.
 */
export function envFileProblem(name: string, value: string): string | undefined {
  if (/[\r\n\0]/.test(value))
    return `the value of ${name} holds a line break or NUL, which an env file cannot carry`;
  if (Buffer.from(value, 'utf8').toString('utf8') !== value)
    return `the value of ${name} is not valid UTF-8 text`;
  if (Buffer.byteLength(`${name}=${value}`) > ENV_FILE_LINE_MAX)
    return `the value of ${name} is longer than an env file line can be (64 KiB)`;
  return undefined;
}

/** The content of a docker --env-file holding `env` exactly (check each value with envFileProblem first). */
export function envFileContent(env: ReadonlyArray<readonly [string, string]>): string {
  return env
    .map(([name, value]) => {
      const problem = envFileProblem(name, value);
      if (problem) throw new Error(problem);
      return `${name}=${value}\n`;
    })
    .join('');
}
