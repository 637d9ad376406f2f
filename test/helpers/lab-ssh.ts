/** SSH runners to the lab's deploy hosts, with the lab's key and pinned known_hosts. */
import { readFileSync } from 'node:fs';
import { KnownHosts } from '../../src/ssh/known-hosts';
import { type SshOptions, SshRunner } from '../../src/ssh/ssh-runner';
import type { LabHost, LabInfo } from '../lab/lab';

export function labSshOptions(lab: LabInfo, overrides: Partial<SshOptions> = {}): SshOptions {
  return {
    username: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath, 'utf8'),
    knownHosts: KnownHosts.parse(readFileSync(lab.ssh.knownHostsPath, 'utf8')),
    ...overrides,
  };
}

export function connectLabHost(
  lab: LabInfo,
  host: LabHost,
  overrides: Partial<SshOptions> = {},
): Promise<SshRunner> {
  return SshRunner.connect({ host: host.address, port: host.sshPort }, labSshOptions(lab, overrides));
}

/** remote-deploy-ssh's connection inputs for `hosts` of the lab, and the lab's proxy image. */
export function labDeployInputs(lab: LabInfo, hosts: readonly LabHost[]): Record<string, string> {
  return {
    hosts: hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
    username: lab.ssh.user,
    'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
    'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
    'proxy-image': lab.images.proxy,
  };
}
