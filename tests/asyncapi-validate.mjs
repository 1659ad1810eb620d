// Validates AsyncAPI documents with the AsyncAPI parser (npm `@asyncapi/parser`, the one the
// AsyncAPI CLI and Studio use), as the CI check of `stormlab export asyncapi`. Each argument
// is a document; prints one line per document and every diagnostic of severity error or
// warning; exit 1 if any document has an error or a warning.
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const parser = new Parser();
const names = ['error', 'warning', 'info', 'hint'];
let failed = 0;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'), { source: file });
  const serious = diagnostics.filter((d) => d.severity <= 1);
  if (!document || serious.length > 0) failed++;
  console.log(`${serious.length === 0 && document ? 'ok' : 'FAILED'} ${file}` +
    (document ? ` (${document.channels().length} channels, ${document.operations().length} operations, ${document.messages().length} messages)` : ''));
  for (const d of diagnostics) {
    console.log(`  ${names[d.severity]} ${d.code} ${d.path.join('.')}: ${d.message}`);
  }
}
process.exit(failed ? 1 : 0);
