// Sinks for spec strings in review output. Spec strings are hostile input: a
// scheme name or path may carry markup meant for a pull-request comment or a
// browser. Markdown gets the punctuation that could start inline markup
// backslash-escaped (CommonMark §2.4: links, images, emphasis, code, strikethrough,
// math, table cells, @mentions) and `<`/`>`/`&` as entities, so no link, image,
// HTML tag or table break survives; HTML gets entities; JSON embedded in a
// <script> gets `<`, `>`, `&` and U+2028/9 as \u escapes so `</script>` cannot
// end the block.

import { replaceControls, unicodeEscape } from '../shared/control-chars.js';

/** Text for a Markdown table cell or paragraph: no markup, no line breaks, no cell breaks. */
export function mdText(text: string): string {
  return replaceControls(text, () => ' ')
    .replace(/[\\`*_[\]|~$@!]/g, (c) => `\\${c}`)
    .replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/** Text for HTML element content or a double-quoted attribute value. */
export function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside `<script type="application/json">`: parses back to the same value. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, unicodeEscape);
}

/**
 * A Markdown code span (no markup inside at all), for paths, ids and pointers:
 * the fence is longer than any backtick run in the text, and `|` is escaped as
 * GFM tables require even inside code.
 */
export function mdCode(text: string): string {
  const flat = replaceControls(text, () => ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
