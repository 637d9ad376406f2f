export function docFiles(root?: string): string[];
export interface CodeBlock {
  readonly lang: string;
  readonly text: string;
  readonly line: number;
  readonly skip: boolean;
  readonly lab: boolean;
}
export function codeBlocks(markdown: string): CodeBlock[];
export function workflowFor(block: { text: string }): { workflow?: string; error?: string };
export function docWorkflows(root?: string): Array<[string, { workflow?: string; error?: string }]>;
export function lintDocBlocks(root?: string, native?: string | null): Promise<string[]>;
