import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceChanges } from '../../../src/deploy-compose/compose-deploy';
import { withoutSwarmNotice } from '../../../src/deploy-compose/compose-host';
import {
  checkSameTag,
  checkStack,
  composeServices,
  pinComposeFile,
  unpinnedServices,
  upgradeLegacyFile,
} from '../../../src/deploy-stack/compose-file';
import { parseReference } from '../../../src/common/reference';
import { COMPOSE } from '../../helpers/compose-fixture';

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

  it('pins images by digest, drops build, names the env variables and keeps the rest (comments, volumes)', () => {
    const pinned = pinComposeFile(COMPOSE, {
      images: new Map([
        ['db', `registry.example.com/shop/db@${D1}`],
        ['web', `registry.example.com/shop/web@${D2}`],
      ]),
      envNames: ['TOKEN', 'PATH'],
      labels: { 'dev.slipway.config': 'sha256:abc' },
    });
    const doc = parse(pinned);
    expect(doc.services.db.labels).toEqual({ 'dev.slipway.config': 'sha256:abc' });
    expect(doc.services.db.image).toBe(`registry.example.com/shop/db@${D1}`);
    expect(doc.services.web.image).toBe(`registry.example.com/shop/web@${D2}`);
    expect(doc.services.web.build).toBeUndefined();
    // Values are never in the file: each variable is taken from compose's environment, under a
    // prefixed name (a PATH for the containers never becomes compose's own PATH).
    const reference = (name: string) =>
      `\${SLIPWAY_ENV_${name}?is given by Slipway at deploy time (env, secret-env)}`;
    expect(doc.services.db.environment).toEqual({ TOKEN: reference('TOKEN'), PATH: reference('PATH') });
    expect(doc.services.web.env_file).toBe('common.env');
    expect(doc.services.web.environment).toEqual({ TOKEN: reference('TOKEN'), PATH: reference('PATH') });
    expect(doc.services.db.volumes).toEqual(['data:/var/lib/db']);
    expect(doc.volumes).toEqual({ data: {} });
    expect(pinned).toContain('# the shop');
    // Deterministic: the same inputs give the same file (unchanged hosts are detected by equality).
    expect(pinComposeFile(COMPOSE, { images: new Map([['db', `x@${D1}`]]) })).toBe(
      pinComposeFile(COMPOSE, { images: new Map([['db', `x@${D1}`]]) }),
    );
  });

  it('sets the env variables over a list or map environment of the file', () => {
    const text = `services:\n  a:\n    image: x:1\n    environment:\n      - TOKEN=old\n      - KEEP=1\n  b:\n    image: y:1\n    environment:\n      TOKEN: old\n      KEEP: "1"\n`;
    const doc = parse(pinComposeFile(text, { images: new Map(), envNames: ['TOKEN'] }));
    expect(doc.services.a.environment).toEqual([
      'KEEP=1',
      'TOKEN=${SLIPWAY_ENV_TOKEN?is given by Slipway at deploy time (env, secret-env)}',
    ]);
    expect(doc.services.b.environment).toEqual({
      TOKEN: '${SLIPWAY_ENV_TOKEN?is given by Slipway at deploy time (env, secret-env)}',
      KEEP: '1',
    });
  });

  it('makes a file pinned by an earlier Slipway (env values in slipway.env) runnable: its variables named instead', () => {
    const legacy = `services:\n  a:\n    image: x@${D1}\n    env_file:\n      - common.env\n      - slipway.env\n  b:\n    image: y@${D2}\n    env_file: slipway.env\n`;
    const doc = parse(upgradeLegacyFile(legacy, ['TOKEN']));
    expect(doc.services.a.env_file).toEqual(['common.env']);
    expect(doc.services.b.env_file).toBeUndefined();
    expect(Object.keys(doc.services.a.environment)).toEqual(['TOKEN']);
    expect(doc.services.b.image).toBe(`y@${D2}`);
    const current = pinComposeFile(legacy.replaceAll('slipway.env', 'other.env'), { images: new Map() });
    expect(upgradeLegacyFile(current, ['TOKEN'])).toBe(current);
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

  it('resolves YAML merge keys: an inherited image counts, an inherited build is refused, pinning overrides what was inherited', () => {
    const text = [
      'x-app: &app',
      '  build: .',
      '  environment:',
      '    MODE: web',
      '  labels: { team: shop }',
      'x-db: &db',
      '  image: postgres:16',
      'services:',
      '  db:',
      '    <<: *db',
      '  web:',
      '    <<: *app',
      '    ports: ["80:80"]',
      '  worker:',
      '    <<: [*app, *db]',
      '    environment: { MODE: worker }',
      '',
    ].join('\n');
    const services = composeServices(text);
    expect(services.find((s) => s.name === 'db')).toMatchObject({ image: 'postgres:16', build: false });
    expect(services.find((s) => s.name === 'web')).toMatchObject({ build: true });
    expect(() => checkStack(text, [])).toThrow('service web is built from source');
    const pin = `r/app@sha256:${'a'.repeat(64)}`;
    const pinned = parse(
      pinComposeFile(text, {
        images: new Map([
          ['web', pin],
          ['worker', pin],
        ]),
        envNames: ['TOKEN'],
        labels: { fp: '1' },
      }),
      { merge: true },
    ) as { services: Record<string, Record<string, unknown>> };
    const { web, worker, db } = pinned.services as Record<string, Record<string, unknown>>;
    expect(web).toMatchObject({ image: pin, ports: ['80:80'], labels: { team: 'shop', fp: '1' } });
    expect(web?.build).toBeUndefined();
    expect(web?.environment).toEqual({ MODE: 'web', TOKEN: expect.stringContaining('SLIPWAY_ENV_TOKEN') });
    expect(worker).toMatchObject({ image: pin, environment: { MODE: 'worker' } });
    expect(worker?.build).toBeUndefined();
    expect(db).toMatchObject({ image: 'postgres:16' });
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
