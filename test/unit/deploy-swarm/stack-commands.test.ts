import { describe, expect, it } from 'vitest';
import { swarmCaddyfile } from '../../../src/proxy/caddy';
import { composeUp } from '../../../src/deploy-compose/compose-commands';
import * as swarm from '../../../src/deploy-swarm/swarm-commands';
const D1 = `sha256:${'1'.repeat(64)}`;

describe('compose and swarm commands as data', () => {
  it('never removes volumes and never builds', () => {
    const argv = composeUp({
      program: ['docker-compose'],
      project: 'shop',
      file: '.slipway/shop/compose.yml',
    }).argv;
    expect(argv).toEqual([
      'docker-compose',
      '--project-name',
      'shop',
      '--file',
      '.slipway/shop/compose.yml',
      'up',
      '--detach',
      '--remove-orphans',
      '--no-build',
    ]);
    expect(argv).not.toContain('-v');
    expect(argv).not.toContain('down');
  });

  it('updates start-first, rolls back on failure, never re-resolves the digest', () => {
    const spec = {
      name: 'web',
      image: `r.example.com/web@${D1}`,
      network: 'slipway-web',
      labels: { 'dev.slipway.service': 'web' },
      env: [['MODE', 'production']] as const,
      withRegistryAuth: true,
      policy: { parallelism: 1, monitorSeconds: 5 },
    };
    const update = swarm.serviceUpdate({ docker: 'docker' }, spec).argv.join(' ');
    expect(update).toBe(
      `docker service update --detach --no-resolve-image --image r.example.com/web@${D1} --label-add dev.slipway.service=web --env-add MODE=production --update-order start-first --update-failure-action rollback --update-parallelism 1 --update-monitor 5s --rollback-order start-first --rollback-parallelism 1 --with-registry-auth web`,
    );
    const create = swarm.serviceCreate({ docker: 'docker' }, { ...spec, replicas: 2 }).argv;
    expect(create).toEqual(
      expect.arrayContaining(['--endpoint-mode', 'dnsrr', '--replicas', '2', '--network', 'slipway-web']),
    );
    const proxy = swarm.proxyServiceCreate(
      { docker: 'docker' },
      {
        name: 'slipway-proxy-web',
        image: 'caddy:2',
        network: 'slipway-web',
        publish: 8080,
        targetPort: 80,
        config: 'c1',
        configPath: '/etc/caddy/Caddyfile',
        command: ['caddy', 'run'],
        labels: {},
      },
    ).argv;
    expect(proxy).toEqual(
      expect.arrayContaining([
        '--mode',
        'global',
        '--publish',
        'mode=host,target=80,published=8080,protocol=tcp',
      ]),
    );
    const config = swarm.configCreate({ docker: 'docker' }, 'c1', 'content', {});
    expect(config.argv.at(-1)).toBe('-');
    expect(config.stdin).toBe('content');
  });

  it('the swarm proxy dials every task through DNS, retrying while tasks change', () => {
    const text = swarmCaddyfile('web', 8080);
    expect(text).toContain('dynamic a tasks.web 8080');
    expect(text).toContain('lb_try_duration 10s');
    expect(() => swarmCaddyfile('web;evil', 80)).toThrow(/invalid service name/);
  });
});

describe('swarm service logs as data', () => {
  const target = { docker: 'docker' };
  it('reads every node through the manager: the last lines, or following, since a time', () => {
    expect(swarm.serviceLogsOf(target, 'web').argv).toEqual([
      'docker',
      'service',
      'logs',
      '--no-task-ids',
      '--tail',
      '50',
      'web',
    ]);
    expect(swarm.serviceLogsOf(target, 'web', { follow: true, since: '10m' }).argv).toEqual([
      'docker',
      'service',
      'logs',
      '--no-task-ids',
      '--follow',
      '--since',
      '10m',
      'web',
    ]);
    expect(swarm.serviceExists(target, 'web').argv).toEqual([
      'docker',
      'service',
      'inspect',
      '--format',
      '{{.Spec.Name}}',
      'web',
    ]);
  });
});
