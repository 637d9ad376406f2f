/**
 * Secret masking. Every secret value an action receives goes through maskSecret before anything
 * is logged, so the runner replaces it with *** wherever it would appear.
 */
import { setSecret } from './workflow-commands';

/** Registers a secret with the runner: the whole value and each of its lines (multi-line keys). */
export function maskSecret(value: string | undefined, register: (s: string) => void = setSecret): void {
  if (!value) return;
  register(value);
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > 1) {
    for (const line of lines) if (line.length >= 4) register(line);
  }
}

/** Replaces known secret values in a text (for output we capture and print ourselves). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
