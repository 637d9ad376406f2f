import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import { summarizeJUnit } from '../../../src/test-in-container/junit';
import { readTestRequest, tcpAnswers } from '../../../src/test-in-container/run-tests';
import { parseServices } from '../../../src/test-in-container/services';

const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);

describe('services input', () => {
  it('parses names, images, env, health-cmd and port', () => {
    expect(
      parseServices(`
- name: db
  image: postgres:16
  env: { POSTGRES_PASSWORD: pw, PORT: 5432 }
  health-cmd: pg_isready -U postgres
- name: cache
  image: 127.0.0.1:5000/redis:7
  port: 6379
`),
    ).toEqual([
      {
        name: 'db',
        image: 'docker.io/library/postgres:16',
        env: [
          ['POSTGRES_PASSWORD', 'pw'],
          ['PORT', '5432'],
        ],
        healthCmd: 'pg_isready -U postgres',
      },
      { name: 'cache', image: '127.0.0.1:5000/redis:7', env: [], port: 6379 },
    ]);
  });

  it.each([
    ['name: db', 'must be a YAML list'],
    ['- name: db', 'service db: image is required'],
    ['- name: DB\n  image: x', 'lowercase DNS label'],
    ['- name: "db;rm"\n  image: x', 'lowercase DNS label'],
    ['- name: db\n  image: "x;y"', 'the character ";"'],
    ['- name: db\n  image: x\n  ports: [1]', 'unknown key "ports"'],
    ['- name: db\n  image: x\n  port: 70000', 'port must be a number from 1 to 65535'],
    ['- name: db\n  image: x\n  port: "80; rm"', 'port must be a number'],
    ['- name: db\n  image: x\n  health-cmd: "a\\nb"', 'single-line'],
    ['- name: db\n  image: x\n  env: { "A B": 1 }', 'not a valid variable name'],
    ['- name: db\n  image: x\n- name: db\n  image: y', 'listed twice'],
    ['- [unclosed', 'not valid YAML'],
  ])('rejects %j', (yaml, message) => {
    expect(() => parseServices(yaml)).toThrow('input "services"');
    expect(() => parseServices(yaml)).toThrow(message);
  });
});

describe('test request', () => {
  it('reads durations and defaults', () => {
    const request = readTestRequest(inputs({ image: 'app:1', timeout: '10m', 'wait-timeout': '30' }));
    expect(request).toMatchObject({
      image: 'app:1',
      timeoutMs: 600_000,
      waitTimeoutMs: 30_000,
      mountWorkspace: false,
    });
  });

  it.each([
    [{}, 'input "image": is required'],
    [{ image: 'app\n--privileged' }, 'input "image"'],
    [{ image: 'app', timeout: '-1' }, 'input "timeout"'],
    [{ image: 'app', 'wait-timeout': '0' }, 'input "wait-timeout"'],
    [{ image: 'app', workdir: 'relative' }, 'input "workdir"'],
    [{ image: 'app', reports: 'junit.xml' }, 'input "reports"'],
    [{ image: 'app', reports: '/..' }, 'input "reports"'],
    [{ image: 'app', reports: '/' }, 'input "reports"'],
    [{ image: 'app', reports: '/app/../..' }, 'input "reports"'],
    [{ image: 'app', reports: '//etc' }, 'input "reports"'],
    [{ image: 'app', reports: '/app/./x' }, 'input "reports"'],
    [{ image: 'app', reports: '/app/reports/' }, 'input "reports"'],
    [{ image: 'app', run: '--help' }, 'input "run"'],
    [{ image: 'app', timeout: '0' }, 'input "timeout": must be at least 1 s'],
    [
      { image: 'app', services: '- name: db\n  image: postgres:16\n  env: { A: "one\\ntwo" }' },
      'input "services": the value of A holds a line break',
    ],
    [{ image: 'app', env: 'A-B=1' }, 'input "env"'],
    [{ image: 'app', 'mount-workspace': 'sure' }, 'input "mount-workspace"'],
  ])('rejects %j', (values, message) => {
    expect(() => readTestRequest(inputs(values))).toThrow(message);
  });
});

describe('test request paths', () => {
  it('accepts a normalised absolute reports path below /', () => {
    expect(readTestRequest(inputs({ image: 'app', reports: '/app/reports' })).reports).toBe('/app/reports');
  });
});

describe('JUnit reports', () => {
  it('counts passed, failed, errored and skipped, and locates failures', () => {
    const xml = `<?xml version="1.0"?>
<testsuites>
  <testsuite name="a" tests="5">
    <testcase classname="math" name="adds" time="0.1"/>
    <testcase classname="math" name="divides" file="src/math.test.ts" line="12">
      <failure message="expected 1 to be 2" type="AssertionError"><![CDATA[AssertionError: expected 1 to be 2
    at src/math.test.ts:12:5]]></failure>
    </testcase>
    <testcase classname="io" name="reads &amp; writes"><error message="boom">tests/io_test.py:40: OSError</error></testcase>
    <testcase classname="io" name="later"><skipped/></testcase>
    <testcase name="self-closing" />
  </testsuite>
</testsuites>`;
    const summary = summarizeJUnit([xml]);
    expect(summary).toMatchObject({ tests: 5, passed: 2, failed: 2, skipped: 1 });
    expect(summary.failures[0]).toMatchObject({
      name: 'divides',
      classname: 'math',
      file: 'src/math.test.ts',
      line: 12,
      message: 'expected 1 to be 2',
    });
    expect(summary.failures[1]).toMatchObject({
      name: 'reads & writes',
      file: 'tests/io_test.py',
      line: 40,
      message: 'boom',
    });
  });

  it('adds up several reports', () => {
    const one = '<testsuite><testcase name="a"/></testsuite>';
    expect(summarizeJUnit([one, one]).passed).toBe(2);
  });
});

describe('TCP readiness probe', () => {
  it('is ready only when the port accepts and keeps the connection', async () => {
    const listening = createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
    const hangsUp = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => hangsUp.listen(0, '127.0.0.1', r));
    const port = (s: typeof listening) => (s.address() as { port: number }).port;
    expect(await tcpAnswers('127.0.0.1', port(listening), 100)).toBe(true);
    expect(await tcpAnswers('127.0.0.1', port(hangsUp), 100)).toBe(false);
    const closedPort = port(listening);
    await new Promise((r) => listening.close(r));
    hangsUp.close();
    expect(await tcpAnswers('127.0.0.1', closedPort, 100)).toBe(false);
  });
});
