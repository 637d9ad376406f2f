import { describe, expect, it } from 'vitest';
import { CommandFailedError, runChecked } from '../../../src/command/command';
import { LocalRunner } from '../../../src/command/local-runner';

const runner = new LocalRunner();

describe('LocalRunner', () => {
  it('passes argv without a shell: metacharacters stay literal', async () => {
    const result = await runner.run({ argv: ['printf', '%s', '$(id); `id` | cat'] });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('$(id); `id` | cat');
  });

  it('feeds stdin and returns the exit code', async () => {
    const result = await runner.run({ argv: ['sh', '-c', 'cat; exit 3'], stdin: 'secret\n' });
    expect(result).toMatchObject({ exitCode: 3, stdout: 'secret\n', timedOut: false });
  });

  it('streams output as it comes', async () => {
    const chunks: string[] = [];
    await runner.run({ argv: ['sh', '-c', 'echo out; echo err >&2'] }, { onOutput: (c) => chunks.push(c) });
    expect(chunks.join('')).toContain('out');
    expect(chunks.join('')).toContain('err');
  });

  it("keeps the action's inputs (INPUT_*) out of a child's environment, the rest in", async () => {
    const withInputs = new LocalRunner({
      PATH: process.env.PATH,
      'INPUT_SIGN-KEY': 'k3y',
      INPUT_PASSWORD: 'pw',
      KEEP: 'yes',
    });
    const env = (await withInputs.run({ argv: ['env'], env: { EXTRA: '1' } })).stdout;
    expect(env).toContain('KEEP=yes');
    expect(env).toContain('EXTRA=1');
    // Whole lines and values only: PATH may hold anything (act's job PATH has random directory names).
    expect(env).not.toMatch(/^INPUT_|=(k3y|pw)$/m);
  });

  it('kills a command that runs past its timeout', async () => {
    const result = await runner.run({ argv: ['sleep', '5'], timeoutMs: 100 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('runChecked throws with the command, where, and the output tail', async () => {
    const error = await runChecked(runner, { argv: ['sh', '-c', 'echo boom >&2; exit 2'] }).catch((e) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error.message).toContain('(local) exited with 2');
    expect(error.message).toContain('boom');
  });

  it('reports a missing program clearly', async () => {
    await expect(runner.run({ argv: ['/nonexistent/program'] })).rejects.toThrow(
      'cannot run /nonexistent/program',
    );
  });
});
