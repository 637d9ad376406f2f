/** Files Slipway keeps on a host: written through stdin, atomically (temporary name, then rename). */
import { runChecked, type Runner } from './command';

export async function writeFileAtomic(
  runner: Runner,
  path: string,
  content: string,
  mode = '0600',
): Promise<void> {
  const slash = path.lastIndexOf('/');
  const temporary = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${process.pid}.tmp`;
  await runChecked(runner, { argv: ['install', '-m', mode, '/dev/stdin', temporary], stdin: content });
  await runChecked(runner, { argv: ['mv', '-f', temporary, path] });
}

/** The file's content, or undefined when it does not exist. */
export async function readRemoteFile(runner: Runner, path: string): Promise<string | undefined> {
  const result = await runner.run({ argv: ['cat', path] });
  return result.exitCode === 0 ? result.stdout : undefined;
}
