export interface ToolSpec {
  readonly name: string;
  readonly version: string;
  /** The Go package `go install` builds. */
  readonly pkg: string;
  /** The module whose version the binary's build information must show. */
  readonly module: string;
  /** The file name `go install` produces, when it differs from name. */
  readonly binary?: string;
  readonly tags?: readonly string[];
  /** -ldflags for go install (a version the program reports), checked in the build information. */
  readonly ldflags?: string;
  readonly cgo?: boolean;
  /** Built from the module's vendor.mod (docker/cli), not with go install. */
  readonly vendorMod?: boolean;
  readonly env: string;
  readonly for: string;
  readonly minutes: number;
  /** An outside judge only a few test files use (built in the background by the test run). */
  readonly judge?: boolean;
}
export const TOOLS: readonly ToolSpec[];
export const JUDGES: readonly string[];
export const TOOLS_BIN: string;
export function tool(name: string): ToolSpec;
export function goBinary(): string | undefined;
export function buildInfo(
  path: string,
  go?: string,
): { module?: string; version?: string; tags: string[]; ldflags: string } | undefined;
export function isPinned(path: string, spec: ToolSpec, go?: string): boolean;
export function findTool(name: string): string | undefined;
export function buildPlan(names?: readonly string[]): string;
export function ensureTools(
  log?: (message: string) => void,
  names?: readonly string[],
): Promise<Record<string, string>>;
