/**
 * JUnit XML reports: counts and failures (with file and line where the report has them), from a
 * small tolerant XML reader (elements, attributes, text, CDATA, entities) — enough for the
 * reports test runners write, with no dependency.
 */

export interface JUnitFailure {
  readonly name: string;
  readonly classname?: string;
  readonly message: string;
  readonly details: string;
  readonly file?: string;
  readonly line?: number;
}

export interface JUnitSummary {
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failures: readonly JUnitFailure[];
  /** Names of the passed test cases (classname.name, or name). */
  readonly passedNames: readonly string[];
}

interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity] ?? whole;
  });
}

export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#root', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const re =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  for (const m of xml.matchAll(re)) {
    const current = stack[stack.length - 1] as XmlElement;
    if (m[1] !== undefined) current.text += m[1];
    else if (m[2] !== undefined) {
      if (stack.length > 1) stack.pop();
    } else if (m[3] !== undefined) {
      const attributes: Record<string, string> = {};
      for (const a of (m[4] ?? '').matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attributes[a[1] as string] = decode(a[2] ?? a[3] ?? '');
      }
      const element: XmlElement = { name: m[3], attributes, children: [], text: '' };
      current.children.push(element);
      if (m[5] !== '/') stack.push(element);
    } else if (m[6] !== undefined) current.text += decode(m[6]);
  }
  return root;
}

function* walk(element: XmlElement): Generator<XmlElement> {
  yield element;
  for (const child of element.children) yield* walk(child);
}

/** file:line from a failure's text ("at test/foo.test.ts:12:5", "foo.py:12: AssertionError"). */
function locate(text: string): { file?: string; line?: number } {
  const m = /([\w./-]+\.[A-Za-z]{1,5}):(\d+)/.exec(text);
  return m ? { file: m[1] as string, line: Number(m[2]) } : {};
}

export function summarizeJUnit(xmls: readonly string[]): JUnitSummary {
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  const failures: JUnitFailure[] = [];
  const passedNames: string[] = [];
  for (const xml of xmls) {
    for (const element of walk(parseXml(xml))) {
      if (element.name !== 'testcase') continue;
      tests += 1;
      const problem = element.children.find((c) => c.name === 'failure' || c.name === 'error');
      if (problem) {
        failed += 1;
        const details = problem.text.trim();
        const attrs = element.attributes;
        const fromAttrs = attrs.file
          ? { file: attrs.file, ...(attrs.line && { line: Number(attrs.line) }) }
          : {};
        const location = { ...locate(details), ...fromAttrs };
        failures.push({
          name: attrs.name ?? '(unnamed)',
          ...(attrs.classname && { classname: attrs.classname }),
          message: problem.attributes.message ?? details.split('\n')[0] ?? 'failed',
          details,
          ...location,
        });
      } else if (element.children.some((c) => c.name === 'skipped')) {
        skipped += 1;
      } else {
        const { classname, name } = element.attributes;
        passedNames.push(classname ? `${classname}.${name ?? '(unnamed)'}` : (name ?? '(unnamed)'));
      }
    }
  }
  return { tests, passed: tests - failed - skipped, failed, skipped, failures, passedNames };
}
