// Parse an RDF file with N3.js (npm `n3`), a parser we did not write, and print what it read as JSON:
//   {"statements": N, "distinct": M}
// statements: every triple or quad the parser emitted; distinct: after dropping repeats (N3.Store keeps a set).
// tests/test_dump_parsers.py compares both with the build.
//
//   node tests/n3_count.mjs FILE FORMAT        FORMAT: Turtle | N-Triples | N-Quads | TriG
//
// Exits 1 with the parser's message on the first syntax error.
import { createReadStream } from 'node:fs';
import { StreamParser, Store } from 'n3';

const [file, format] = process.argv.slice(2);
const FORMATS = ['Turtle', 'N-Triples', 'N-Quads', 'TriG'];
if (!file || !FORMATS.includes(format)) {
  console.error(`usage: node n3_count.mjs FILE (${FORMATS.join(' | ')})`);
  process.exit(2);
}

const store = new Store();
let statements = 0;
// Naming the format makes N3.js strict; without one it would accept any syntax it knows, N3 included.
const parser = new StreamParser({ format, baseIRI: `file://${file}` });
parser.on('data', (quad) => {
  statements += 1;
  store.addQuad(quad);
});
parser.on('error', (error) => {
  console.error(`${file}: ${error.message}`);
  process.exit(1);
});
parser.on('end', () => {
  console.log(JSON.stringify({ statements, distinct: store.size }));
});
createReadStream(file).pipe(parser);
