// Control characters in spec strings and file contents: C0 and C1 controls, DEL, and
// U+2028/U+2029 (line breaks to JavaScript and some terminals). A spec could use them
// to forge lines, recolour a terminal or break a Markdown table, so every text sink
// replaces them; the set is defined once so the sinks cannot drift apart.

const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** The same set without tab (U+0009), for file lines shown as they are. */
const CONTROLS_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every control character replaced by `by(c)`. */
export function replaceControls(text: string, by: (c: string) => string): string {
  // A global regex is safe to share for `replace`: it starts at lastIndex 0 each call.
  return text.replace(CONTROLS, by);
}

/** As `replaceControls`, keeping tabs. */
export function replaceControlsButTab(text: string, by: (c: string) => string): string {
  return text.replace(CONTROLS_BUT_TAB, by);
}

/** `\uXXXX` for one UTF-16 code unit: what a JSON or JavaScript string would write. */
export function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
