export function pin(text: string, what: 'actions' | 'workflows', sha: string): string;
export function unpinned(text: string): string[];
export function pinRelease(root?: string): { actions: string; workflows: string; release: string };
