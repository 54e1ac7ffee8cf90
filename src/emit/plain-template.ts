// Rendering a template that is only text and `{{name}}` substitutions without Handlebars.
// The built-in skeletons are exactly that, and loading and compiling Handlebars (a
// parser, a code generator, source maps) costs a short run more than rendering them.
// The result must be byte-identical to what Handlebars renders with `noEscape` and
// `strict`, so any template or name this module is not certain about is left to
// Handlebars (`undefined`): other mustache forms, escapes, helpers, keywords, names the
// view does not hold as its own strings (strict mode's error comes from Handlebars).

// Names Handlebars reads as something else in `{{name}}`: its built-in helpers (a
// helper wins over a property of the same name) and its keywords.
const NOT_PLAIN = new Set(['blockHelperMissing', 'each', 'helperMissing', 'if', 'unless', 'log', 'lookup', 'with', 'else', 'this', 'true', 'false', 'null', 'undefined']);

/**
 * `text` with every `{{name}}` replaced by `view[name]`, or `undefined` when Handlebars
 * could render it differently.
 */
export function renderPlain(text: string, view: Readonly<Record<string, string>>): string | undefined {
  // Handlebars' lexer stops content at NUL.
  if (text.includes('\0')) return undefined;
  let out = '';
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open === -1) return out + text.slice(from);
    // `\{{` is an escaped (literal) mustache; `{{{` an unescaped one.
    if (open > 0 && (text[open - 1] === '\\' || text[open - 1] === '{')) return undefined;
    const close = text.indexOf('}}', open + 2);
    if (close === -1 || text[close + 2] === '}') return undefined;
    const name = text.slice(open + 2, close);
    if (!/^[a-z][A-Za-z0-9]*$/.test(name) || NOT_PLAIN.has(name) || name in Object.prototype) return undefined;
    if (!Object.prototype.hasOwnProperty.call(view, name)) return undefined;
    const value = view[name];
    if (typeof value !== 'string') return undefined;
    out += text.slice(from, open) + value;
    from = close + 2;
  }
}
