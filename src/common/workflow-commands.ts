/**
 * The runner's side of an action, spoken directly: workflow commands on stdout (::error::,
 * ::add-mask::, ::group::) and file commands ($GITHUB_OUTPUT, $GITHUB_STATE, $GITHUB_ENV), byte
 * for byte what @actions/core writes (a unit test holds them side by side). @actions/core itself
 * is not loaded: its OIDC client brings undici and more, about a megabyte of bundle that every
 * action paid for at start-up (about 60 ms and 20 MiB before any work).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

function commandValue(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string' || input instanceof String) return String(input);
  return JSON.stringify(input);
}

const escapeData = (s: unknown) =>
  commandValue(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

const escapeProperty = (s: unknown) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::name key=value,…::message` on stdout (properties without a value are left out). */
export function issueCommand(
  name: string,
  properties: Readonly<Record<string, string | number | undefined>>,
  message: unknown,
): void {
  const props = Object.entries(properties)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

/** `name<<delimiter` … in the runner's file for `kind`; false when the runner gives no such file. */
function fileCommand(kind: 'OUTPUT' | 'STATE' | 'ENV', name: string, value: unknown): boolean {
  const path = process.env[`GITHUB_${kind}`] || '';
  if (!path) return false;
  if (!existsSync(path)) throw new Error(`Missing file at path: ${path}`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  const text = commandValue(value);
  if (name.includes(delimiter))
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (text.includes(delimiter))
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  appendFileSync(path, `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
  return true;
}

export interface AnnotationProperties {
  readonly title?: string;
  readonly file?: string;
  readonly startLine?: number;
}

const annotation = (p: AnnotationProperties) => ({ title: p.title, file: p.file, line: p.startLine });

export const info = (message: string): void => void process.stdout.write(message + EOL);
export const debug = (message: string): void => issueCommand('debug', {}, message);
export const warning = (message: string, properties: AnnotationProperties = {}): void =>
  issueCommand('warning', annotation(properties), message);
export const error = (message: string, properties: AnnotationProperties = {}): void =>
  issueCommand('error', annotation(properties), message);
export const setSecret = (secret: string): void => issueCommand('add-mask', {}, secret);

/** Fails the step: an error annotation and exit code 1. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', {}, name);
  try {
    return await fn();
  } finally {
    issueCommand('endgroup', {}, '');
  }
}

export function setOutput(name: string, value: unknown): void {
  if (fileCommand('OUTPUT', name, value)) return;
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, commandValue(value));
}

export function saveState(name: string, value: unknown): void {
  if (!fileCommand('STATE', name, value)) issueCommand('save-state', { name }, commandValue(value));
}

export const getState = (name: string): string => process.env[`STATE_${name}`] || '';

export function exportVariable(name: string, value: unknown): void {
  const text = commandValue(value);
  process.env[name] = text;
  if (!fileCommand('ENV', name, value)) issueCommand('set-env', { name }, text);
}
