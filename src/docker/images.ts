/** Image and registry commands as data: the engine's platform and store, inspect, tag, push, pull, login (see target.ts). */
import type { Command } from '../command/command';
import { dockerCommand as cmd, type DockerTarget } from './target';

/** The engine's own platform, os/arch. */
export function serverPlatform(target: DockerTarget): Command {
  return cmd(target, ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
}

/** The engine's API version (1.41 for Docker 20.10). */
export function serverApiVersion(target: DockerTarget): Command {
  return cmd(target, ['version', '--format', '{{.Server.APIVersion}}']);
}

/** The storage driver's status, which names the containerd snapshotter when the engine stores images there. */
export function storageDriverStatus(target: DockerTarget): Command {
  return cmd(target, ['info', '--format', '{{json .DriverStatus}}']);
}

export function inspectImage(target: DockerTarget, ref: string): Command {
  return cmd(target, ['image', 'inspect', '--format', '{{json .}}', ref]);
}

/**
 * An image's platform in the engine's store: os/arch[/variant]. With `platform`, that platform of a
 * multi-platform image the engine holds whole (the containerd image store; Docker 28+ clients).
 */
export function imagePlatform(target: DockerTarget, ref: string, platform?: string): Command {
  return cmd(target, [
    'image',
    'inspect',
    ...(platform ? ['--platform', platform] : []),
    '--format',
    '{{.Os}}/{{.Architecture}}{{if .Variant}}/{{.Variant}}{{end}}',
    ref,
  ]);
}

export function historyOf(target: DockerTarget, ref: string): Command {
  return cmd(target, ['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', ref]);
}

export function tag(target: DockerTarget, source: string, destination: string): Command {
  return cmd(target, ['tag', source, destination]);
}

export function push(target: DockerTarget, ref: string): Command {
  return cmd(target, ['push', ref]);
}

export function pull(target: DockerTarget, ref: string): Command {
  return cmd(target, ['pull', '--quiet', ref]);
}

/** docker login with the password on stdin (never argv). */
export function login(target: DockerTarget, registry: string, username: string, password: string): Command {
  return cmd(target, ['login', '--username', username, '--password-stdin', registry], {
    stdin: password,
    label: `docker login ${registry} as ${username}`,
  });
}

export function logout(target: DockerTarget, registry: string): Command {
  return cmd(target, ['logout', registry]);
}

export function removeImage(target: DockerTarget, image: string): Command {
  return cmd(target, ['image', 'rm', image]);
}

/** The repository digests the engine knows an image by (JSON: a list, or null). */
export function repoDigests(target: DockerTarget, image: string): Command {
  return cmd(target, ['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
}
