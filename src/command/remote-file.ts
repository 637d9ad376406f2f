/** Files Slipway keeps on a host: written through stdin, atomically (temporary name, then rename). */
import { runChecked, type Runner } from './command';
import { installFile, moveFile, readFile } from './files';

export async function writeFileAtomic(
  runner: Runner,
  path: string,
  content: string,
  mode = '0600',
): Promise<void> {
  const slash = path.lastIndexOf('/');
  const temporary = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${process.pid}.tmp`;
  await runChecked(runner, installFile(temporary, mode, content));
  await runChecked(runner, moveFile(temporary, path));
}

/** The file's content, or undefined when it does not exist. */
export async function readRemoteFile(runner: Runner, path: string): Promise<string | undefined> {
  const result = await runner.run(readFile(path));
  return result.exitCode === 0 ? result.stdout : undefined;
}
