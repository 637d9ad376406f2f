/** Vitest global setup of the integration project: brings the lab up once and shares its description. */
import type { TestProject } from 'vitest/node';
import { ensureLab, type LabInfo } from './lab';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const lab = await ensureLab();
  project.provide('lab', lab);
}
