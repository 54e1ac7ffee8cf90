// The matrix as one self-contained HTML page: no network, no external assets.
// The data travels as JSON in a non-executed <script type="application/json">
// (every `<` written as \u003c, so no spec string can close the element); the
// page's own script builds the rows with textContent only, never innerHTML.
// A Content-Security-Policy with the hashes of the page's own script and style
// refuses anything else, even if markup did slip in.
import { createHash } from 'node:crypto';
import { htmlText, scriptJson } from './escape.js';
import { summaryText, type Matrix } from './matrix.js';

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1b1b1b; background: #fff; }
body { margin: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
.spec { color: #555; margin: 0 0 .75rem; }
.summary { font-weight: 600; margin: .5rem 0 1rem; }
.controls { display: flex; gap: 1rem; align-items: center; margin-bottom: .75rem; flex-wrap: wrap; }
.controls input { padding: .35rem .5rem; min-width: 18rem; font: inherit; }
.controls select { padding: .3rem; font: inherit; }
#count { color: #555; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border: 1px solid #d0d0d0; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th button { all: unset; cursor: pointer; font-weight: 700; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
td.method { font-family: ui-monospace, monospace; text-transform: uppercase; }
td.path, td.id { font-family: ui-monospace, monospace; word-break: break-all; }
tr.access-public { background: #fde2e1; }
tr.access-optional { background: #fff3cd; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-size: .8rem; font-weight: 700; }
.badge-public { background: #c62828; color: #fff; }
.badge-optional { background: #b26a00; color: #fff; }
.badge-required { background: #2e7d32; color: #fff; }
ul.alts { margin: 0; padding-left: 1.1rem; }
.scope { font-family: ui-monospace, monospace; color: #0b5394; }
h2 { font-size: 1.1rem; margin-top: 1.5rem; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('matrix-data').textContent);
  var many = data.length > 1;
  var rows = [];
  data.forEach(function (m) {
    m.operations.forEach(function (op) { rows.push({ spec: m.spec, op: op, order: rows.length }); });
  });
  var ACCESS = { public: 0, optional: 1, required: 2 };
  var METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  function altText(op) {
    var alts = op.alternatives.map(function (alt) {
      return alt.map(function (u) { return u.scheme + (u.scopes.length ? ' [' + u.scopes.join(', ') + ']' : ''); }).join(' + ');
    });
    if (op.access === 'optional') alts.push('anonymous');
    return op.access === 'public' ? 'none (public)' : alts.length === 0 ? 'none: always refused (403)' : alts.join(' or ');
  }
  var keys = {
    spec: function (r) { return r.spec; },
    method: function (r) { return METHODS.indexOf(r.op.method); },
    path: function (r) { return r.op.path; },
    id: function (r) { return r.op.id; },
    access: function (r) { return ACCESS[r.op.access]; },
    alternatives: function (r) { return altText(r.op); }
  };
  var state = { sort: null, dir: 1, filter: '', access: '' };
  var tbody = document.getElementById('rows');
  var input = document.getElementById('filter');
  var select = document.getElementById('access');
  var count = document.getElementById('count');
  if (many) document.getElementById('spec-col').hidden = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function cell(tr, cls, text) { var td = el('td', cls, text); tr.appendChild(td); return td; }
  function haystack(r) {
    return [many ? r.spec : '', r.op.method, r.op.path, r.op.id, r.op.access, altText(r.op), r.op.summary || ''].join(' ').toLowerCase();
  }
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function render() {
    var list = rows.filter(function (r) {
      return (!state.access || r.op.access === state.access) && (!state.filter || haystack(r).indexOf(state.filter.toLowerCase()) !== -1);
    });
    if (state.sort) {
      var key = keys[state.sort];
      list.sort(function (a, b) { return state.dir * cmp(key(a), key(b)) || a.order - b.order; });
    }
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    list.forEach(function (r) {
      var op = r.op;
      var tr = el('tr', 'access-' + op.access);
      tr.setAttribute('data-id', op.id);
      tr.setAttribute('data-access', op.access);
      if (op.summary) tr.title = op.summary;
      if (many) cell(tr, 'spec', r.spec);
      cell(tr, 'method', op.method);
      cell(tr, 'path', op.path);
      cell(tr, 'id', op.id);
      cell(tr, 'access').appendChild(el('span', 'badge badge-' + op.access, op.access));
      var td = cell(tr, 'alternatives');
      if (op.access === 'public') td.textContent = 'none (public)';
      else if (op.alternatives.length === 0 && op.access !== 'optional') td.textContent = 'none: always refused (403)';
      else {
        var ul = el('ul', 'alts');
        op.alternatives.forEach(function (alt) {
          var li = el('li');
          alt.forEach(function (u, i) {
            if (i > 0) li.appendChild(document.createTextNode(' + '));
            li.appendChild(el('span', 'scheme', u.scheme));
            if (u.scopes.length) li.appendChild(el('span', 'scope', ' [' + u.scopes.join(', ') + ']'));
          });
          ul.appendChild(li);
        });
        if (op.access === 'optional') ul.appendChild(el('li', 'anonymous', 'anonymous'));
        td.appendChild(ul);
      }
      tbody.appendChild(tr);
    });
    count.textContent = 'Showing ' + list.length + ' of ' + rows.length + ' operations';
    document.querySelectorAll('th[data-key]').forEach(function (th) {
      var k = th.getAttribute('data-key');
      if (k === state.sort) th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }

  function writeHash() {
    var parts = [];
    if (state.filter) parts.push('filter=' + encodeURIComponent(state.filter));
    if (state.access) parts.push('access=' + encodeURIComponent(state.access));
    if (state.sort) parts.push('sort=' + (state.dir < 0 ? '-' : '') + state.sort);
    try { history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    state.filter = params.get('filter') || '';
    var a = params.get('access') || '';
    state.access = Object.prototype.hasOwnProperty.call(ACCESS, a) ? a : '';
    var s = params.get('sort') || '';
    var dir = s.charAt(0) === '-' ? -1 : 1;
    s = s.replace(/^-/, '');
    state.sort = Object.prototype.hasOwnProperty.call(keys, s) ? s : null;
    state.dir = dir;
    input.value = state.filter;
    select.value = state.access;
  }

  input.addEventListener('input', function () { state.filter = input.value; writeHash(); render(); });
  select.addEventListener('change', function () { state.access = select.value; writeHash(); render(); });
  document.querySelectorAll('th[data-key] button').forEach(function (b) {
    b.addEventListener('click', function () {
      var k = b.parentNode.getAttribute('data-key');
      if (state.sort === k) state.dir = -state.dir; else { state.sort = k; state.dir = 1; }
      writeHash();
      render();
    });
  });
  window.addEventListener('hashchange', function () { readHash(); render(); });
  readHash();
  render();
})();
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function renderHtml(matrices: readonly Matrix[]): string {
  const title = matrices.length === 1 ? `Security matrix: ${matrices[0]!.title} ${matrices[0]!.version}` : 'Security matrix';
  const csp = `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  const summaries = matrices
    .map((m) => `<p class="spec">${htmlText(m.spec)}</p>\n<p class="summary" data-spec="${htmlText(m.spec)}">${htmlText(summaryText(m.summary))}</p>`)
    .join('\n');
  const schemeTables = matrices
    .map(
      (m) =>
        `<h2>Schemes${matrices.length > 1 ? ` in ${htmlText(m.spec)}` : ''}</h2>\n<table class="schemes"><thead><tr><th>Scheme</th><th>Type</th><th>Credential</th><th>Client env variables</th></tr></thead><tbody>\n` +
        m.schemes.map((s) => `<tr><td>${htmlText(s.id)}</td><td>${htmlText(s.type)}</td><td>${htmlText(s.credential)}</td><td>${htmlText(s.env.length > 0 ? s.env.join(', ') : 'none')}</td></tr>`).join('\n') +
        '\n</tbody></table>',
    )
    .join('\n');
  const th = (key: string, label: string, extra = ''): string => `<th data-key="${key}"${extra}><button type="button">${label}</button></th>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="openapi-security-codegen">
<title>${htmlText(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${htmlText(title)}</h1>
${summaries}
<div class="controls">
<label>Filter <input id="filter" type="search" placeholder="method, path, operation, scheme, scope" autocomplete="off"></label>
<label>Access <select id="access"><option value="">all</option><option value="public">public</option><option value="optional">optional</option><option value="required">required</option></select></label>
<span id="count"></span>
</div>
<table class="operations">
<thead><tr>${th('spec', 'Spec', ' id="spec-col" hidden')}${th('method', 'Method')}${th('path', 'Path')}${th('id', 'Operation')}${th('access', 'Access')}${th('alternatives', 'Alternatives (OR of AND groups)')}</tr></thead>
<tbody id="rows"></tbody>
</table>
<noscript><p>The operations table needs JavaScript; the same data is in <code>codegen report --format json</code>.</p></noscript>
${schemeTables}
<script type="application/json" id="matrix-data">${scriptJson(matrices)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
