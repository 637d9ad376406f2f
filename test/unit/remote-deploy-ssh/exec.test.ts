import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import { copyEnvFile, createOneOff, startAttached } from '../../../src/remote-deploy-ssh/exec-commands';
import { readExecRequest } from '../../../src/remote-deploy-ssh/exec';

const hosts = [
  { host: 'web1.example.com', port: 22 },
  { host: 'web2.example.com', port: 2222 },
];
const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);

describe('exec inputs', () => {
  it('command is required; exec-on is first, each or one of the hosts (named as listed or by name and port)', () => {
    expect(readExecRequest(inputs({ command: 'bin/rails db:migrate' }), hosts)).toEqual({
      command: 'bin/rails db:migrate',
      on: 'first',
    });
    expect(readExecRequest(inputs({ command: 'x', 'exec-on': 'each' }), hosts).on).toBe('each');
    expect(readExecRequest(inputs({ command: 'x', 'exec-on': 'WEB2.example.com:2222' }), hosts).on).toBe(1);
    expect(readExecRequest(inputs({ command: 'x', 'exec-on': 'web1.example.com' }), hosts).on).toBe(0);
    expect(() => readExecRequest(inputs({}), hosts)).toThrow('input "command": is required');
    expect(() => readExecRequest(inputs({ command: 'x', 'exec-on': 'web2.example.com' }), hosts)).toThrow(
      'input "exec-on": "web2.example.com" is not one of the hosts',
    );
  });
});

describe('exec commands (data)', () => {
  it('the env is copied on the host by a constant script, paths as its arguments; the container mounts what the serving one does', () => {
    const copy = copyEnvFile('web-v1', '.slipway/web/web-exec-1.env');
    expect(copy.argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(copy.argv.slice(3)).toEqual(['slipway-exec', 'web-v1', '.slipway/web/web-exec-1.env']);
    expect(copy.argv[2]).toContain('umask 077');
    const create = createOneOff(
      { docker: 'docker' },
      {
        name: 'web-exec-1',
        from: 'web-v1',
        image: 'sha256:abc',
        network: 'slipway-web',
        envFile: '.slipway/web/web-exec-1.env',
        labels: { 'dev.slipway.role': 'exec' },
        command: 'echo "$(id)"; exit 3',
        tty: false,
      },
    );
    expect(create.argv).toEqual([
      'docker',
      'create',
      '--name',
      'web-exec-1',
      '--network',
      'slipway-web',
      '--env-file',
      '.slipway/web/web-exec-1.env',
      '--volumes-from',
      'web-v1',
      '--label',
      'dev.slipway.role=exec',
      'sha256:abc',
      'sh',
      '-c',
      'echo "$(id)"; exit 3',
    ]);
    expect(startAttached({ docker: 'docker' }, 'web-exec-1', true).argv).toEqual([
      'docker',
      'start',
      '--attach',
      '--interactive',
      'web-exec-1',
    ]);
  });
});
