export function packCli(destination?: string, root?: string): string;
