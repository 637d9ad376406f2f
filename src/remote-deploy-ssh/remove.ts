/** `slipway remove`: a single-container service leaves its hosts (routes, containers, networks; volumes kept). */
import type { Inputs } from '../common/inputs';
import type { Outcome, Reporter } from '../common/reporter';
import { connectAll } from '../deploy-core/connect';
import { readConnection, readName } from '../deploy-core/inputs';
import { removeService } from '../deploy-container/remove';
import { deployContext } from './operation';

export async function runRemoveOperation(
  inputs: Inputs,
  report: Reporter,
  signal?: AbortSignal,
): Promise<Outcome> {
  for (const name of ['private-key', 'passphrase']) report.mask(inputs.string(name));
  const request = readConnection(inputs);
  const name = readName(inputs);
  const ctx = deployContext(report, signal);
  const runners = await connectAll(request, ctx.log);
  try {
    const hosts = await removeService(runners, name, request, ctx);
    return {
      outputs: { hosts: JSON.stringify(hosts) },
      summary: hosts.map(
        (h) =>
          `${h.host}: ${h.containers.length > 0 ? `removed ${h.containers.join(', ')}` : 'nothing of this service ran here'}${h.routes ? '; its routes left the shared proxy' : ''}`,
      ),
      ...(hosts.every((h) => h.containers.length === 0 && !h.routes) && {
        error: `no service named ${name} on any host`,
      }),
    };
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}
