/**
 * The lab from the command line:
 *   npm run lab -- up        bring the lab up (idempotent) and print how to reach it
 *   npm run lab -- down      stop it (add --purge to remove its images, caches and data)
 *   npm run lab -- status    print the lab description
 *   npm run demo             bring the lab up and run the pipeline on the fixture app
 */
import { runDemo } from './demo';
import { join } from 'node:path';
import { removeTempDirs } from '../helpers/temp';
import { LAB_DIR } from './config';
import { ensureLab, type LabInfo, readLabInfo, teardownLab } from './lab';

const [command = 'up', ...rest] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case 'up': {
      console.log(JSON.stringify(redacted(await ensureLab()), null, 2));
      return;
    }
    case 'down':
      await teardownLab({ purge: rest.includes('--purge') });
      return;
    case 'demo':
      await runDemo();
      return;
    case 'status':
      console.log(JSON.stringify(redacted(readLabInfo()), null, 2));
      return;
    default:
      throw new Error(`unknown lab command ${JSON.stringify(command)} (up, down [--purge], status)`);
  }
}

/** The lab description without registry passwords: each is replaced by the file that holds it. */
function redacted(info: LabInfo): unknown {
  return JSON.parse(
    JSON.stringify(info, function (this: { name?: string }, key: string, value: unknown) {
      return key === 'password'
        ? `*** (in ${join(LAB_DIR, 'registry', String(this.name), 'password')})`
        : value;
    }),
  );
}

let finished = false;
process.on('exit', (code) => {
  if (!finished && code === 0) {
    console.error('lab: stopped before finishing (a promise was left pending)');
    process.exitCode = 1;
  }
});

main()
  .then(() => {
    finished = true;
  })
  .catch((error: unknown) => {
    finished = true;
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(removeTempDirs);
