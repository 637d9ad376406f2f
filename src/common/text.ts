/** Small text checks shared by input parsing and reference parsing. */

/** True when the text holds a C0 control character (newline, NUL, escape…) or DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
