/**
 * `npm run demo`: the main job, locally. Brings the lab up and carries the fixture app through
 * the pipeline with progress output.
 */
import { buildFixtureApp, ensureLab } from './lab';

export async function runDemo(): Promise<void> {
  const lab = await ensureLab();
  const version = `demo-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const image = await buildFixtureApp(version);
  console.log(`\nThe lab is up:`);
  console.log(`  staging registry     ${lab.registries.staging.url}`);
  console.log(`  production registry  ${lab.registries.production.url} (basic auth)`);
  for (const host of lab.hosts)
    console.log(`  deploy host          ${lab.ssh.user}@${host.address}:${host.sshPort} (${host.name})`);
  console.log(`  fixture app          ${image}`);
}
