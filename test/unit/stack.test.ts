import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { swarmCaddyfile } from '../../src/deploy/caddy';
import { serviceChanges } from '../../src/deploy/compose-deploy';
import { withoutSwarmNotice } from '../../src/deploy/compose-host';
import {
  checkSameTag,
  checkStack,
  composeServices,
  pinComposeFile,
  unpinnedServices,
} from '../../src/deploy/compose-file';
import { parseStackImage, readAnyDeployRequest } from '../../src/deploy/stack-inputs';
import {
  convergence,
  parseTasks,
  type ServiceState,
  type Task,
  taskErrors,
} from '../../src/deploy/swarm-manager';
import { composeUp } from '../../src/docker/compose-commands';
import * as swarm from '../../src/docker/swarm-commands';
import { Inputs } from '../../src/inputs';
import { parseReference } from '../../src/reference';

const COMPOSE = `# the shop
services:
  db:
    image: registry.example.com/shop/db:7 # pinned by Slipway
    healthcheck:
      test: ["CMD", "true"]
    volumes:
      - data:/var/lib/db
  web:
    build: .
    depends_on:
      db:
        condition: service_healthy
    env_file: common.env
  cache:
    image: redis@sha256:${'a'.repeat(64)}
volumes:
  data: {}
`;
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('compose files', () => {
  it('reads services, dependencies and health checks', () => {
    expect(composeServices(COMPOSE)).toEqual([
      { name: 'db', image: 'registry.example.com/shop/db:7', build: false, dependsOn: [], healthcheck: true },
      { name: 'web', build: true, dependsOn: ['db'], healthcheck: false },
      {
        name: 'cache',
        image: `redis@sha256:${'a'.repeat(64)}`,
        build: false,
        dependsOn: [],
        healthcheck: false,
      },
    ]);
  });

  it('pins images by digest, drops build, adds the env file and keeps the rest (comments, volumes)', () => {
    const pinned = pinComposeFile(COMPOSE, {
      images: new Map([
        ['db', `registry.example.com/shop/db@${D1}`],
        ['web', `registry.example.com/shop/web@${D2}`],
      ]),
      envFile: 'slipway.env',
      labels: { 'dev.slipway.config': 'sha256:abc' },
    });
    const doc = parse(pinned);
    expect(doc.services.db.labels).toEqual({ 'dev.slipway.config': 'sha256:abc' });
    expect(doc.services.db.image).toBe(`registry.example.com/shop/db@${D1}`);
    expect(doc.services.web.image).toBe(`registry.example.com/shop/web@${D2}`);
    expect(doc.services.web.build).toBeUndefined();
    expect(doc.services.web.env_file).toEqual(['common.env', 'slipway.env']);
    expect(doc.services.db.env_file).toEqual(['slipway.env']);
    expect(doc.services.db.volumes).toEqual(['data:/var/lib/db']);
    expect(doc.volumes).toEqual({ data: {} });
    expect(pinned).toContain('# the shop');
    // Deterministic: the same inputs give the same file (unchanged hosts are detected by equality).
    expect(pinComposeFile(COMPOSE, { images: new Map([['db', `x@${D1}`]]) })).toBe(
      pinComposeFile(COMPOSE, { images: new Map([['db', `x@${D1}`]]) }),
    );
  });

  it('adds zero-downtime update defaults to stack services that set none', () => {
    const text = `services:\n  a:\n    image: x:1\n  b:\n    image: y:1\n    deploy:\n      update_config:\n        order: stop-first\n`;
    const doc = parse(pinComposeFile(text, { images: new Map(), swarmUpdateDefaults: { parallelism: 1 } }));
    expect(doc.services.a.deploy.update_config).toEqual({
      parallelism: 1,
      order: 'start-first',
      failure_action: 'rollback',
    });
    expect(doc.services.b.deploy.update_config).toEqual({ order: 'stop-first' });
    expect(doc.services.b.deploy.rollback_config.order).toBe('start-first');
    // A host-mode port is held by the old task: the new one cannot start first.
    const hostMode = `services:\n  a:\n    image: x:1\n    ports:\n      - { target: 80, published: 8080, mode: host }\n`;
    const pinned = parse(
      pinComposeFile(hostMode, { images: new Map(), swarmUpdateDefaults: { parallelism: 1 } }),
    );
    expect(pinned.services.a.deploy.update_config.order).toBe('stop-first');
  });

  it('refuses images for services the file does not have, and services left to build', () => {
    const image = parseReference('registry.example.com/shop/web:1');
    expect(() => checkStack(COMPOSE, [{ service: 'wbe', image }])).toThrow(
      /no service "wbe".*db, web, cache/,
    );
    expect(() => checkStack(COMPOSE, [])).toThrow(/web is built from source; hosts never build/);
    expect(checkStack(COMPOSE, [{ service: 'web', image }])).toHaveLength(3);
    expect(() => checkStack('services: {}', [])).toThrow(/no services/);
    expect(() => checkStack('services:\n  a: [1\n', [])).toThrow(/not valid YAML/);
  });

  it('names services that may drift (neither pinned by Slipway nor by digest)', () => {
    expect(unpinnedServices(COMPOSE, ['web'])).toEqual(['db']);
  });

  it('require-same-tag: refuses images whose tags differ', () => {
    const img = (s: string) => parseReference(s);
    expect(() =>
      checkSameTag([
        { service: 'db', image: img('r.example.com/db:20260101-7') },
        { service: 'web', image: img('r.example.com/web:20260101-7') },
      ]),
    ).not.toThrow();
    expect(() =>
      checkSameTag([
        { service: 'db', image: img('r.example.com/db:20260101-7') },
        { service: 'web', image: img('r.example.com/web:20260101-8') },
      ]),
    ).toThrow('the images carry different tags (db: 20260101-7; web: 20260101-8)');
  });

  it('drops docker-compose v1’s notice about Swarm from the deploy log, keeping what it did', () => {
    const output = `The Docker Engine you're using is running in swarm mode.\n\nCompose does not use swarm mode to deploy services to multiple nodes in a swarm. All containers will be scheduled on the current node.\n\nTo deploy your application across the swarm, use \`docker stack deploy\`.\n\nshop_db_1 is up-to-date\nRecreating shop_app_1 ... done\n`;
    expect(withoutSwarmNotice(output)).toBe('shop_db_1 is up-to-date\nRecreating shop_app_1 ... done');
    expect(withoutSwarmNotice('Creating shop_app_1 ... done\n')).toBe('Creating shop_app_1 ... done');
  });

  it('reports per service what changed and whether its containers were replaced', () => {
    const before = `services:\n  db:\n    image: db@${D1}\n  web:\n    image: web@${D1}\n`;
    const after = `services:\n  db:\n    image: db@${D1}\n  web:\n    image: web@${D2}\n`;
    const c = (id: string, service: string) => ({
      id,
      service,
      image: '',
      status: 'running',
      running: true,
      exitCode: 0,
      restartPolicy: 'always',
    });
    expect(
      serviceChanges(before, after, [c('1', 'db'), c('2', 'web')], [c('1', 'db'), c('3', 'web')]),
    ).toEqual([
      { service: 'db', previous: `db@${D1}`, image: `db@${D1}`, restarted: false },
      { service: 'web', previous: `web@${D1}`, image: `web@${D2}`, restarted: true },
    ]);
  });
});

describe('stack inputs', () => {
  let dir: string;
  const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----';
  const base = {
    hosts: '10.0.0.5',
    username: 'deploy',
    'private-key': KEY,
    'insecure-ignore-host-key': 'true',
    strategy: 'rolling',
  };
  const read = (over: Record<string, string>) =>
    readAnyDeployRequest(new Inputs((n) => ({ ...base, ...over })[n as keyof typeof base]));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-stack-'));
    writeFileSync(join(dir, 'compose.yml'), COMPOSE);
    process.env.GITHUB_WORKSPACE = dir;
  });
  afterEach(() => {
    delete process.env.GITHUB_WORKSPACE;
  });

  it('chooses the mode: compose-file → compose, swarm → swarm, else one container', () => {
    expect(
      read({ 'compose-file': 'compose.yml', 'compose-project': 'shop', images: 'web=r.example.com/web:1' })
        .mode,
    ).toBe('compose');
    expect(read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1' }).mode).toBe('swarm');
    expect(read({ name: 'web', image: 'r.example.com/web:1' }).mode).toBe('container');
  });

  it('reads a compose request: project, images, the file', () => {
    const request = read({
      'compose-file': 'compose.yml',
      'compose-project': 'shop',
      images: 'web=r.example.com/shop/web:7\ndb = r.example.com/shop/db:7',
      'secret-env': 'TOKEN=s3cr3t',
    });
    expect(request).toMatchObject({
      mode: 'compose',
      name: 'shop',
      composeFile: 'compose.yml',
      secretEnv: [['TOKEN', 's3cr3t']],
    });
    expect(request.mode === 'compose' && request.images.map((i) => i.service)).toEqual(['web', 'db']);
  });

  it('refuses bad stack input before anything connects, naming the input', () => {
    const compose = { 'compose-file': 'compose.yml', 'compose-project': 'shop' };
    expect(() => read({ ...compose, images: 'web=r.example.com/web:1\nweb=r.example.com/web:2' })).toThrow(
      'input "images": service web is given more than once',
    );
    expect(() => read({ ...compose, images: 'web' })).toThrow(
      /input "images": each line must be service=image/,
    );
    expect(() => read({ ...compose, images: 'web=r.example.com/web:1;rm -rf /' })).toThrow(/input "images"/);
    expect(() => read({ ...compose, images: 'nope=r.example.com/web:1' })).toThrow(
      /input "compose-file": compose.yml has no service "nope"/,
    );
    expect(() => read({ 'compose-file': 'missing.yml', name: 'shop' })).toThrow(
      /input "compose-file": cannot read missing.yml: ENOENT/,
    );
    expect(() => read({ ...compose, images: 'web=r.example.com/web:1', image: 'r.example.com/x:1' })).toThrow(
      'input "image": is not used in compose mode; remove it',
    );
    expect(() =>
      read({
        ...compose,
        images: 'web=r.example.com/web:1\ndb=r.example.com/db:2',
        'require-same-tag': 'true',
      }),
    ).toThrow('input "images": the images carry different tags (web: 1; db: 2)');
    expect(() =>
      read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1', 'secret-env': 'A=b' }),
    ).toThrow(/input "secret-env": is not supported in swarm mode/);
    expect(() => read({ swarm: 'true', name: 'Web', image: 'r.example.com/web:1' })).toThrow(/input "name"/);
    expect(() => read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1', replicas: '-1' })).toThrow(
      /input "replicas"/,
    );
    expect(() => read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1', publish: '80' })).toThrow(
      'input "port": is required with publish (the port the app listens on)',
    );
    expect(() => read({ swarm: 'true', name: 'web' })).toThrow(
      'input "image": is required but was not given',
    );
    // Logging in on the hosts needs one registry: the images', or the input when they differ.
    const twoRegistries = { ...compose, images: 'web=a.example.com/web:1\ndb=b.example.com/db:1' };
    expect(() => read({ ...twoRegistries, 'registry-username': 'u', 'registry-password': 'p' })).toThrow(
      'input "registry": is required with registry-password: the images come from a.example.com, b.example.com',
    );
    expect(read({ ...compose, images: 'web=a.example.com/web:1' }).registry).toBe('a.example.com');
  });

  it('parses service=image lines', () => {
    expect(parseStackImage('web = r.example.com/web:1').service).toBe('web');
    expect(() => parseStackImage('=r.example.com/web:1')).toThrow(/service=image/);
  });
});

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

describe('swarm convergence', () => {
  const task = (over: Partial<Task>): Task => ({
    id: 't',
    name: 'web.1',
    image: `r/web:1@${D2}`,
    node: 'n1',
    desired: 'Running',
    current: 'Running 3 seconds ago',
    error: '',
    ...over,
  });
  const state = (over: Partial<ServiceState>): ServiceState => ({
    name: 'web',
    image: `r/web@${D2}`,
    replicas: 2,
    labels: {},
    published: [],
    ...over,
  });

  it('converged: every wanted task runs the new digest and no update is in flight', () => {
    const tasks = [task({}), task({ name: 'web.2', node: 'n2' })];
    expect(convergence(state({ update: { state: 'completed', message: '' } }), tasks, D2)).toBe('converged');
    expect(convergence(state({ update: { state: 'updating', message: '' } }), tasks, D2)).toBe('waiting');
    expect(convergence(state({}), [task({}), task({ image: `r/web@${D1}` })], D2)).toBe('waiting');
    expect(convergence(state({}), [task({})], D2)).toBe('waiting');
    expect(convergence(state({}), [task({}), task({ current: 'Starting 1 second ago' })], D2)).toBe(
      'waiting',
    );
  });

  it('a rollback by Swarm shows as the spec back on another digest (a stale rollback state does not)', () => {
    expect(
      convergence(
        state({ image: `r/web@${D1}`, update: { state: 'rollback_started', message: '' } }),
        [],
        D2,
      ),
    ).toBe('rolling-back');
    expect(
      convergence(
        state({ image: `r/web@${D1}`, update: { state: 'rollback_completed', message: '' } }),
        [],
        D2,
      ),
    ).toBe('rolled-back');
    expect(
      convergence(state({ update: { state: 'rollback_completed', message: '' } }), [task({}), task({})], D2),
    ).toBe('converged');
    expect(convergence(state({ update: { state: 'paused', message: '' } }), [], D2)).toBe('paused');
  });

  it('reads tasks and their errors', () => {
    const tasks = parseTasks(
      [
        JSON.stringify({
          ID: 'a',
          Name: 'web.1',
          Image: `r/web@${D2}`,
          Node: 'n1',
          DesiredState: 'Shutdown',
          CurrentState: 'Failed 2 seconds ago',
          Error: 'task: non-zero exit (1)',
        }),
        JSON.stringify({
          ID: 'b',
          Name: ' \\_ web.1',
          Image: `r/web@${D1}`,
          Node: 'n1',
          DesiredState: 'Running',
          CurrentState: 'Running 1 minute ago',
          Error: '',
        }),
      ].join('\n'),
    );
    expect(tasks[1]?.name).toBe('web.1');
    expect(taskErrors(tasks, D2)).toEqual(['web.1 on n1: task: non-zero exit (1)']);
    expect(taskErrors(tasks, D1)).toEqual([]);
    // Stopped for failing its health check: no error recorded, but it was seen starting and never running.
    const quiet = [{ ...(tasks[0] as Task), id: 'c', error: '', current: 'Complete 1 second ago' }];
    expect(taskErrors(quiet, D2)).toEqual([]);
    expect(taskErrors(quiet, D2, new Map([['c', new Set(['Starting', 'Complete'])]]))).toEqual([
      'web.1 on n1: never passed its health check (stopped while starting)',
    ]);
  });
});
