// Parses Mermaid diagrams with Mermaid's own parser (npm `mermaid`, in a jsdom window), as the
// CI check of `stormlab export mermaid`: each argument is a `.mmd` file (one diagram) or a
// Markdown file (every ```mermaid fence). Prints one line per diagram; exit 1 if any fails.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const diagrams = file.endsWith('.md')
    ? [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1])
    : [text];
  if (diagrams.length === 0) {
    console.log(`FAILED ${file}: no diagram`);
    failed++;
  }
  for (const [i, d] of diagrams.entries()) {
    try {
      const r = await mermaid.parse(d);
      console.log(`ok ${file}#${i + 1} ${r.diagramType}`);
    } catch (e) {
      console.log(`FAILED ${file}#${i + 1}: ${String(e.message ?? e)}`);
      failed++;
    }
  }
}
process.exit(failed ? 1 : 0);
