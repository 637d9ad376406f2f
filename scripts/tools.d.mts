export interface ToolSpec {
  readonly name: string;
  readonly version: string;
  readonly module: string;
  readonly env: string;
  readonly versionArgs: readonly string[];
  readonly reports: (output: string, version: string) => boolean;
}
export const TOOLS: readonly ToolSpec[];
export const TOOLS_BIN: string;
export function tool(name: string): ToolSpec;
export function findTool(name: string): string | undefined;
export function ensureTools(log?: (message: string) => void): Promise<Record<string, string>>;
