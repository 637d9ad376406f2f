/**
 * Maintenance mode's record on a host: `~/.slipway/<service>/maintenance.json` while the service is
 * in maintenance (who, since when, the versions it took out of service). A deploy or rollback holding
 * its leases refuses while it is there: a new version joining the service's alias would share it
 * with the maintenance page. `live` (remote-deploy-ssh/maintenance.ts) ends it.
 */
import type { Runner } from '../command/command';
import { readFile } from '../command/files';
import type { ServiceOnHost } from './freeze';

export const MAINTENANCE_FILE = 'maintenance.json';

export interface MaintenanceRecord {
  readonly holder: string;
  readonly time: string;
  readonly run: string;
  /** The app containers maintenance took out of service (what `live` puts back). */
  readonly stopped: readonly string[];
}

export async function readMaintenance(runner: Runner, dir: string): Promise<MaintenanceRecord | undefined> {
  const result = await runner.run(readFile(`${dir}/${MAINTENANCE_FILE}`));
  if (result.exitCode !== 0) return undefined;
  try {
    const parsed = JSON.parse(result.stdout) as Partial<MaintenanceRecord>;
    return {
      holder: String(parsed.holder ?? 'someone'),
      time: String(parsed.time ?? '?'),
      run: String(parsed.run ?? ''),
      stopped: Array.isArray(parsed.stopped) ? parsed.stopped.map(String) : [],
    };
  } catch {
    return { holder: 'someone', time: '?', run: '', stopped: [] };
  }
}

/** Called holding the deploy lease of every host: refuses while the service is in maintenance on one. */
export async function refuseIfInMaintenance(sessions: readonly ServiceOnHost[]): Promise<void> {
  for (const s of sessions) {
    const record = await readMaintenance(s.runner, s.dir);
    if (record)
      throw new Error(
        `${s.where}: ${s.name} is in maintenance (by ${record.holder} since ${record.time}); bring it back first (slipway live, or operation live)`,
      );
  }
}
