/**
 * Vitest global setup of the integration project: the tools the tests run (act, actionlint; built
 * once with go install, see scripts/tools.mjs), then the lab, brought up once and shared, cleared
 * of what interrupted test runs left on its hosts.
 */
import type { TestProject } from 'vitest/node';
import { ensureTools } from '../../scripts/tools.mjs';
import { reclaimLeftovers } from '../helpers/host-cleanup';
import { ensureLab, type LabInfo } from './lab';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
    tools: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('tools', await ensureTools());
  const lab = await ensureLab();
  await reclaimLeftovers(lab, (message) => process.stderr.write(`[lab] ${message}\n`));
  project.provide('lab', lab);
}
