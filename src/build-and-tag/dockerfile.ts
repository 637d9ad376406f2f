/**
 * Reading a Dockerfile's FROM lines: the external base images of a build (stage names and
 * `scratch` excluded), with ARG values substituted from build args and global ARG defaults.
 */

export interface BaseImage {
  /** The reference as the Dockerfile resolves it (ARGs substituted). */
  readonly reference: string;
  /** The stage name given with AS, if any. */
  readonly stage?: string;
}

/** Joins continuation lines and drops comments, keeping instruction order. */
function instructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === '' && (line.startsWith('#') || line === '')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push(`${current}${line}`.trim());
    current = '';
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, braced, fallback, bare) => {
      const name = (braced ?? bare) as string;
      const value = vars.get(name);
      return value !== undefined && value !== '' ? value : (fallback ?? '');
    },
  );
}

export function baseImages(
  dockerfile: string,
  buildArgs: ReadonlyArray<readonly [string, string]> = [],
): BaseImage[] {
  const given = new Map(buildArgs);
  const globals = new Map<string, string>();
  const stages = new Set<string>();
  const bases: BaseImage[] = [];
  let seenFrom = false;
  for (const instruction of instructions(dockerfile)) {
    const [keyword = '', ...rest] = instruction.split(/\s+/);
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && !seenFrom) {
      for (const decl of rest) {
        const eq = decl.indexOf('=');
        const name = eq >= 0 ? decl.slice(0, eq) : decl;
        const fallback = eq >= 0 ? decl.slice(eq + 1).replace(/^["']|["']$/g, '') : undefined;
        const value = given.get(name) ?? fallback;
        if (value !== undefined) globals.set(name, value);
      }
    }
    if (upper !== 'FROM') continue;
    seenFrom = true;
    const words = rest.filter((w) => !w.startsWith('--'));
    const image = substitute(words[0] ?? '', globals);
    const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
    const stage = asIndex >= 0 ? words[asIndex + 1]?.toLowerCase() : undefined;
    if (image !== '' && image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase())) {
      if (!bases.some((b) => b.reference === image))
        bases.push({ reference: image, ...(stage && { stage }) });
    }
    if (stage) stages.add(stage);
  }
  return bases;
}
