export const ACTIONS: readonly string[];
export const ROOT: string;
export const WORKFLOWS: readonly string[];
export function tablesFor(name: string, root?: string): string;
export function workflowTablesFor(name: string, root?: string): string;
export function actionPage(name: string): string;
export function workflowPage(name: string): string;
export function render(
  text: string,
  root?: string,
  which?: { actions?: readonly string[]; workflows?: readonly string[] },
  page?: string,
): string;
export function renderPages(root?: string): Array<[path: string, text: string, rendered: string]>;
export const CLI_METADATA: string;
export function cliMetadata(root?: string): Promise<string>;
export const SECRET_INPUTS_MODULE: string;
export function isSecretDescription(description: unknown): boolean;
export function secretInputsModule(root?: string): Promise<string>;
