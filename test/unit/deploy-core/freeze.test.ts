/**
 * The freeze scripts run by a real /bin/sh on this machine, in a temporary directory (the same
 * scripts run on the hosts), and the refusal a deploy holding its leases makes of them.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalRunner } from '../../../src/command/local-runner';
import { Inputs } from '../../../src/common/inputs';
import {
  describeFreeze,
  type FreezeRecord,
  FrozenError,
  HostFreeze,
  readFreezeMessage,
  refuseIfFrozen,
} from '../../../src/deploy-core/freeze';
import { tempDir } from '../../helpers/temp';

const runner = new LocalRunner();
const record = (message: string): FreezeRecord => ({
  holder: 'ana@org/shop',
  time: '2026-12-07T13:00:00.000Z',
  message,
  run: 'https://github.com/org/shop/actions/runs/1',
});

function fresh(): { dir: string; freeze: HostFreeze } {
  const dir = join(tempDir('freeze'), 'svc');
  return { dir, freeze: new HostFreeze(runner, dir) };
}

describe('the deploy freeze (scripts on a real shell)', () => {
  it('is taken once (a second freeze keeps the first and is told about it), read, and lifted by anyone', async () => {
    const { dir, freeze } = fresh();
    expect(await freeze.read()).toBeUndefined();
    expect(await freeze.acquire(record('release week'), 'a')).toBe(true);
    expect(await freeze.read()).toEqual(record('release week'));
    expect(await freeze.acquire(record('other'), 'b')).toEqual(record('release week'));
    expect(JSON.parse(readFileSync(join(dir, 'freeze.json'), 'utf8')).message).toBe('release week');
    // No temporary record left behind by either attempt.
    expect(readdirSync(dir)).toEqual(['freeze.json']);
    expect(await freeze.release()).toEqual(record('release week'));
    expect(existsSync(join(dir, 'freeze.json'))).toBe(false);
    expect(await freeze.release()).toBeUndefined();
  });

  it('never puts a cut record in place (a client that died while sending it)', async () => {
    const { dir, freeze } = fresh();
    const cut = JSON.stringify(record('x')).slice(0, 20);
    // The same script the class runs, with a record cut short on stdin.
    const { argv } = captureAcquire(dir);
    const cutRun = await runner.run({ argv, stdin: cut });
    expect(cutRun.exitCode).toBe(2);
    expect(await freeze.read()).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unreadable record is still a freeze', async () => {
    const { dir, freeze } = fresh();
    await freeze.acquire(record('x'), 'a');
    writeFileSync(join(dir, 'freeze.json'), 'garbage');
    const read = await freeze.read();
    expect(read?.holder).toBe('someone');
    expect(read?.message).toMatch(/unreadable freeze record: garbage/);
  });
});

/** The argv HostFreeze.acquire runs, captured from a runner that records it. */
function captureAcquire(dir: string): { argv: string[] } {
  let argv: string[] = [];
  const recorder = {
    where: 'recorder',
    run: async (command: { argv: string[] }) => {
      argv = command.argv;
      return { exitCode: 0, stdout: '', stderr: '' };
    },
    close: async () => {},
  };
  void new HostFreeze(recorder as never, dir).acquire(record('x'), 'cut');
  return { argv };
}

describe('a deploy holding its leases', () => {
  const sessions = (dirs: string[]) =>
    dirs.map((dir, i) => ({ runner, dir, name: 'shop', where: `deploy@host${i + 1}:22` }));

  it('goes on when no host is frozen; is refused naming the host, holder, time and message when one is', async () => {
    const a = fresh();
    const b = fresh();
    await refuseIfFrozen(sessions([a.dir, b.dir]), {}, () => {});
    await b.freeze.acquire(record('black friday'), 'f');
    const refused = refuseIfFrozen(sessions([a.dir, b.dir]), {}, () => {});
    await expect(refused).rejects.toThrow(FrozenError);
    await expect(refused).rejects.toThrow(
      'deploy@host2:22: shop is frozen by ana@org/shop since 2026-12-07T13:00:00.000Z: "black friday" (https://github.com/org/shop/actions/runs/1); deploys are refused until it is released',
    );
  });

  it('refuses a rollback too, unless forced (and says so in the log)', async () => {
    const a = fresh();
    await a.freeze.acquire(record('audit'), 'f');
    await expect(refuseIfFrozen(sessions([a.dir]), { rollback: true }, () => {})).rejects.toThrow(
      /a rollback goes through with force: true/,
    );
    const log: string[] = [];
    await refuseIfFrozen(sessions([a.dir]), { rollback: true, force: true }, (l) => log.push(l));
    expect(log.join('\n')).toMatch(/frozen by ana@org\/shop .*"audit".*rolling back anyway \(force\)/);
    // force without rollback lets nothing through.
    await expect(refuseIfFrozen(sessions([a.dir]), { force: true }, () => {})).rejects.toThrow(FrozenError);
  });
});

describe('the freeze message', () => {
  const inputs = (message?: string) => new Inputs((n) => (n === 'message' ? message : undefined));
  it('is required, one line, bounded', () => {
    expect(readFreezeMessage(inputs('release week'))).toBe('release week');
    expect(() => readFreezeMessage(inputs(''))).toThrow('input "message": is required to freeze deploys');
    expect(() => readFreezeMessage(inputs('a\nb'))).toThrow('input "message": must be one line');
    expect(() => readFreezeMessage(inputs('x'.repeat(501)))).toThrow('longer than 500');
  });
  it('is described with who, when and why', () => {
    expect(describeFreeze({ ...record('m'), run: '' })).toBe(
      'frozen by ana@org/shop since 2026-12-07T13:00:00.000Z: "m"',
    );
  });
});
