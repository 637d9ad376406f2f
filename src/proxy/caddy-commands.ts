/** The Caddy program's commands inside a proxy container, as data (see caddy.ts for its configuration). */

/** `caddy run` (the container's command) or `caddy reload` (exec'd in it) with a Caddyfile. */
export function caddyCommand(verb: 'run' | 'reload', caddyfilePath: string): string[] {
  return ['caddy', verb, '--config', caddyfilePath, '--adapter', 'caddyfile'];
}
