export const EXCEPTIONS: string;
export type Target = { kind: 'action' | 'workflow'; name: string };
export function target(uses: unknown): Target | undefined;
export function usesIn(workflow: unknown): Map<string, { target: Target; keys: Set<string> }>;
export function checkWorkflowInputs(root?: string): string[];
