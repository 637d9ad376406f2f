/**
 * The lab from the command line:
 *   npm run lab -- up        bring the lab up (idempotent) and print how to reach it
 *   npm run lab -- down      stop it (add --purge to remove its images, caches and data)
 *   npm run lab -- status    print the lab description
 *   npm run demo             bring the lab up and run the pipeline on the fixture app
 */
import { runDemo } from './demo';
import { ensureLab, readLabInfo, teardownLab } from './lab';

const [command = 'up', ...rest] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case 'up': {
      const info = await ensureLab();
      console.log(JSON.stringify({ ...info, registries: redacted(info.registries) }, null, 2));
      return;
    }
    case 'down':
      await teardownLab({ purge: rest.includes('--purge') });
      return;
    case 'demo':
      await runDemo();
      return;
    case 'status':
      console.log(JSON.stringify(readLabInfo(), null, 2));
      return;
    default:
      throw new Error(`unknown lab command ${JSON.stringify(command)} (up, down [--purge], status)`);
  }
}

function redacted<T extends object>(registries: T): T {
  return JSON.parse(JSON.stringify(registries, (k, v) => (k === 'password' ? '***' : v)));
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
  });
