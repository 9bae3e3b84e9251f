// From a page of another origin, fetch() the server's documents, /void, a dump and /sparql as a browser
// Linked Data client does (Comunica's long Accept with a quoted JSON-LD profile, If-None-Match, Range, a
// SPARQL POST body): each request makes the browser preflight. Print what the script could read as JSON
// (tests/test_browser.py reads it).
//
//   node tests/browser/cross_origin.mjs BASE_URL OTHER_ORIGIN_PAGE_URL
//
// Uses playwright-core with the system Chromium (no browser download): CHROMIUM env or /usr/bin/chromium.
import { chromium } from 'playwright-core';

const [base, elsewhere] = process.argv.slice(2);
if (!base || !elsewhere) {
  console.error('usage: node cross_origin.mjs BASE_URL OTHER_ORIGIN_PAGE_URL');
  process.exit(2);
}

const result = { base, elsewhere };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

try {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  await page.goto(elsewhere, { waitUntil: 'load' });
  result.origin = await page.evaluate(() => window.location.origin);
  result.fetched = await page.evaluate(async (base) => {
    // Comunica's Accept: about 400 bytes, with a profile in quotes; either alone makes the browser preflight.
    const accept = 'application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9;'
      + 'profile="http://www.w3.org/ns/json-ld#expanded",application/n-triples;q=0.8,text/turtle;q=0.6,'
      + 'application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,'
      + 'text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,'
      + 'text/shaclc-ext;q=0.05';
    const names = ['content-type', 'etag', 'link', 'content-location', 'vary', 'last-modified', 'content-range',
                   'content-length'];
    async function ask(name, url, init) {
      try {
        const response = await fetch(url, { cache: 'no-store', ...init });
        const body = await response.text();
        const headers = Object.fromEntries(names.map((n) => [n, response.headers.get(n)]));
        return { name, ok: true, status: response.status, url: response.url, headers, length: body.length,
                 start: body.slice(0, 200) };
      } catch (error) {
        return { name, ok: false, error: String(error) };
      }
    }
    const out = {};
    out.document = await ask('document', `${base}id/person/lenin`, { headers: { Accept: accept } });
    const etag = out.document.ok ? out.document.headers.etag : null;
    out.notModified = await ask('notModified', `${base}id/person/lenin`,
                                { headers: { Accept: accept, 'If-None-Match': etag || '"none"' } });
    out.turtle = await ask('turtle', `${base}doc/letter/1921-12-20-zalutsky-salts`,
                           { headers: { Accept: 'text/turtle;q=1.0, */*;q=0.1', 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' } });
    out.void = await ask('void', `${base}void`, { headers: { Accept: accept } });
    out.dump = await ask('dump', `${base}dumps/letters.nt`, { headers: { Range: 'bytes=0-99', 'If-None-Match': '"x"' } });
    out.sparql = await ask('sparql', `${base}sparql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sparql-query', Accept: 'application/sparql-results+json' },
      body: 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }',
    });
    out.missing = await ask('missing', `${base}doc/person/nobody-at-all`, { headers: { Accept: accept } });
    return out;
  }, base);
  result.consoleErrors = consoleErrors;
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error && error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result, null, 1));
process.exit(result.ok ? 0 : 1);
