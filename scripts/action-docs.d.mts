export const ACTIONS: readonly string[];
export function tablesFor(name: string, root?: string): string;
export function render(readme: string, root?: string): string;
export const CLI_METADATA: string;
export function cliMetadata(root?: string): Promise<string>;
