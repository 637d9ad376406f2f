/**
 * Commands on a host's files, as data: what Slipway keeps under `.slipway/` on a deploy host (env
 * files, lock, audit log, route records, compose files) is read and written with these argv arrays
 * only, run by any Runner; contents travel on stdin. Unit tests check them as data.
 */
import type { Command } from './command';

/** The whole file on stdout (exit code not 0 when it does not exist). */
export function readFile(path: string): Command {
  return { argv: ['cat', path] };
}

/** The last `lines` lines of a file. */
export function tailFile(path: string, lines: number): Command {
  return { argv: ['tail', '-n', String(lines), path] };
}

/** Exits 0 when the path exists. */
export function pathExists(path: string): Command {
  return { argv: ['test', '-e', path] };
}

/** Writes `content` (stdin) to `path` with `mode`, replacing it. */
export function installFile(path: string, mode: string, content: string): Command {
  return { argv: ['install', '-m', mode, '/dev/stdin', path], stdin: content };
}

/** Appends `content` (stdin) to `path`, creating it. */
export function appendToFile(path: string, content: string): Command {
  return { argv: ['tee', '-a', path], stdin: content };
}

/** Renames, replacing `to` (atomic on one file system). */
export function moveFile(from: string, to: string): Command {
  return { argv: ['mv', '-f', from, to] };
}

/** Copies with mode and times. */
export function copyFile(from: string, to: string): Command {
  return { argv: ['cp', '-p', from, to] };
}

/** Removes one file; no error when it is missing. */
export function removeFile(path: string): Command {
  return { argv: ['rm', '-f', path] };
}

/** Removes files and directories with what they hold; no error when missing. */
export function removeTrees(paths: readonly string[]): Command {
  return { argv: ['rm', '-rf', '--', ...paths] };
}

export function makeDirectory(path: string): Command {
  return { argv: ['mkdir', '-p', path] };
}

/** The entries directly in `dir` whose names match any of `patterns` (find -name), one a line. */
export function findByName(dir: string, patterns: readonly string[]): Command {
  const names = patterns.flatMap((p, i) => [...(i > 0 ? ['-o'] : []), '-name', p]);
  return { argv: ['find', dir, '-mindepth', '1', '-maxdepth', '1', '(', ...names, ')', '-print'] };
}

/** The content of every file directly in `dir` whose name matches `pattern`, one after another. */
export function readAllMatching(dir: string, pattern: string): Command {
  return { argv: ['find', dir, '-maxdepth', '1', '-name', pattern, '-exec', 'cat', '{}', '+'] };
}
