/** Small text checks shared by input parsing and reference parsing. */

/** True when the text holds a C0 control character (newline, NUL, escape…) or DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Text from elsewhere (a registry's media types and annotations) made safe for one log line:
 * control characters shown as \uXXXX, so a newline in it cannot start a line the runner would
 * read as a workflow command (::add-mask::, ::error::…), and cut to `max` characters.
 */
export function printable(text: string, max = 200): string {
  let out = '';
  for (const ch of text.slice(0, max)) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
  }
  return text.length > max ? `${out}…` : out;
}
