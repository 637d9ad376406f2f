/**
 * The commands of a one-off run in the version that serves (`slipway exec`), as data: a container
 * made from the serving container's image, with its environment (copied on the host from the
 * serving container into a 0600 env file, so no value leaves the host or reaches a command line),
 * its volumes (--volumes-from) and its networks (but never the live network the proxy dials).
 */
import type { Command } from '../command/command';
import { type DockerTarget, dockerCommand, labelFlags } from '../docker/target';

/**
 * $1 the serving container, $2 the env file to write (0600). Docker prints each `NAME=value` of the
 * container's environment on one line (values with line breaks were refused when deployed).
 */
const COPY_ENV = `set -u
umask 077
docker container inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$1" > "$2" || { rm -f "$2"; exit 1; }`;

export function copyEnvFile(from: string, envFile: string): Command {
  return {
    argv: ['sh', '-c', COPY_ENV, 'slipway-exec', from, envFile],
    label: `copy the environment of ${from}`,
  };
}

export interface OneOffSpec {
  readonly name: string;
  /** The serving container: its volumes are mounted the same way. */
  readonly from: string;
  /** The serving container's image (its id: exactly what serves, whatever a tag says now). */
  readonly image: string;
  readonly network: string;
  readonly envFile: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Run by `sh -c`, as pre-deploy is. */
  readonly command: string;
  /** Interactive (a terminal): stdin kept open and a TTY. */
  readonly tty: boolean;
}

export function createOneOff(target: DockerTarget, spec: OneOffSpec): Command {
  return dockerCommand(
    target,
    [
      'create',
      '--name',
      spec.name,
      '--network',
      spec.network,
      '--env-file',
      spec.envFile,
      '--volumes-from',
      spec.from,
      ...labelFlags(spec.labels),
      ...(spec.tty ? ['--interactive', '--tty'] : []),
      spec.image,
      'sh',
      '-c',
      spec.command,
    ],
    { label: `docker create ${spec.name}` },
  );
}

/** Starts it attached: its output streams back, and the client exits with the command's exit code. */
export function startAttached(target: DockerTarget, name: string, interactive: boolean): Command {
  return dockerCommand(target, ['start', '--attach', ...(interactive ? ['--interactive'] : []), name]);
}
