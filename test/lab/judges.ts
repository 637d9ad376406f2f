/**
 * The judges (cosign v2 and v3: half of a fresh machine's tool builds) are built in the background
 * while the integration files that do not need them run; the files that do wait for them
 * (test/helpers/judges.ts) and run last (test/lab/sequencer.mjs). With the judges cached nothing
 * waits. The build is `node scripts/tools.mjs <judges>` as a child of the test run's main process,
 * its output in a log file; its exit code is written to a status file the test files read.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, JUDGES, TOOLS_BIN, tool } from '../../scripts/tools.mjs';
import { REPO_ROOT } from './config';

export interface JudgesBuild {
  /** Appears when the build has ended: `{"code": 0}` when every judge is installed. */
  readonly status: string;
  /** The build's output (for the error of a file whose judges failed to build). */
  readonly log: string;
  /** Where each judge is (or will be once built): name → path. */
  readonly paths: Record<string, string>;
}

/**
 * Starts building the judges that are missing; returns where to watch and the stop for the end of
 * the run (a build still going is ended, unneeded by a run of files that do not use the judges).
 */
export function startJudges(log: (message: string) => void): { build: JudgesBuild; stop: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-judges-'));
  const status = join(dir, 'status.json');
  const output = join(dir, 'build.log');
  const found = Object.fromEntries(JUDGES.map((name) => [name, findTool(name)]));
  const missing = JUDGES.filter((name) => !found[name]);
  const paths = Object.fromEntries(
    JUDGES.map((name) => [name, found[name] ?? join(TOOLS_BIN, name)]),
  ) as Record<string, string>;
  const build = { status, log: output, paths };
  if (missing.length === 0) {
    writeFileSync(status, '{"code":0}\n');
    return { build, stop: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const minutes = missing.reduce((sum, name) => sum + tool(name).minutes, 0);
  log(
    `building the judges ${missing.join(', ')} in the background (about ${minutes} min on a fresh 2-core machine); the files that need them run last (log: ${output})`,
  );
  const fd = openSync(output, 'a');
  // At the lowest priority: the tests beside it keep the CPU they would have without it.
  const child = spawn(
    'nice',
    ['-n', '19', process.execPath, join(REPO_ROOT, 'scripts', 'tools.mjs'), ...missing],
    {
      stdio: ['ignore', fd, fd],
    },
  );
  let ended = false;
  // After stop() the directory is gone: nothing is left to tell.
  const end = (code: number | string, message = '') => {
    ended = true;
    try {
      if (message) writeFileSync(output, `${message}\n`, { flag: 'a' });
      writeFileSync(status, `${JSON.stringify({ code })}\n`);
    } catch {
      // stopped: the directory went with the run
    }
  };
  child.on('error', (error) => end(127, error.message));
  child.on('exit', (code, signal) => end(code ?? signal ?? 1));
  return {
    build,
    stop: () => {
      if (!ended) child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
