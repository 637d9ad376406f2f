import { describe, expect, it } from 'vitest';
import {
  convergence,
  parseTasks,
  type ServiceState,
  type Task,
  taskErrors,
} from '../../../src/deploy-swarm/swarm-manager';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

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
    // A paused update or rollback moves no more: never taken as converged, nor waited on.
    expect(convergence(state({ update: { state: 'paused', message: '' } }), tasks, D2)).toBe('paused');
    expect(convergence(state({ update: { state: 'rollback_paused', message: '' } }), tasks, D2)).toBe(
      'paused',
    );
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
