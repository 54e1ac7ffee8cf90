// Writes docs/diagnostics.md from the catalog (src/diagnostics/catalog.ts, via the
// build in dist/). Run as `npm run docs:diagnostics`, which builds first;
// test/unit/catalog.test.ts fails while the committed file differs from this output.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DIAGNOSTICS_DOC, renderDiagnosticsDoc } from '../dist/diagnostics/doc.js';

const root = path.resolve(import.meta.dirname, '..');
writeFileSync(path.join(root, DIAGNOSTICS_DOC), renderDiagnosticsDoc());
console.log(`wrote ${DIAGNOSTICS_DOC}`);
