// Open every kind of page in headless Chromium with the server's Content-Security-Policy on, run a query on
// the query page, and follow a link that names a hostile endpoint; print what happened as JSON
// (tests/test_browser.py reads it).
//
//   node tests/browser/pages_csp.mjs BASE_URL HOSTILE_ENDPOINT_URL
//
// Uses playwright-core with the system Chromium (no browser download): CHROMIUM env or /usr/bin/chromium.
import { chromium } from 'playwright-core';

const [base, hostile] = process.argv.slice(2);
if (!base || !hostile) {
  console.error('usage: node pages_csp.mjs BASE_URL HOSTILE_ENDPOINT_URL');
  process.exit(2);
}
const MARK = 'csp-check-ok';
const QUERY = `SELECT ("${MARK}" AS ?x) WHERE {}`;
const PAGES = {
  home: '',
  timeline: 'timeline',
  letter: 'id/letter/1921-12-20-zalutsky-salts',
  person: 'id/person/kasparova-popova',
  void: 'void',
  dumps: 'dumps/',
  notFound: 'doc/person/nobody-at-all',
  // A link to a query: the endpoint answers 303 to the query page, which runs the query at once.
  query: 'sparql?query=' + encodeURIComponent(QUERY),
};

const result = { base, pages: {}, hostile: {} };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// A page that records its errors, its CSP violations (as the page itself sees them) and every request.
async function open(context) {
  const page = await context.newPage();
  const seen = { requests: [], consoleErrors: [], pageErrors: [] };
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('request', (request) => seen.requests.push(request.url()));
  page.on('console', (msg) => {
    // A page answered 404 says so in the console; that is the status it should have, not an error of the page.
    const ownStatus = msg.text().startsWith('Failed to load resource') && msg.location().url === page.url();
    if (msg.type() === 'error' && !ownStatus) seen.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (error) => seen.pageErrors.push(String(error)));
  return { page, seen };
}

try {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  for (const [name, path] of Object.entries(PAGES)) {
    const { page, seen } = await open(context);
    const response = await page.goto(base + path, { waitUntil: 'load' });
    const entry = { status: response.status(), url: page.url(), csp: response.headers()['content-security-policy'] || null };
    entry.heading = ((await page.locator('h1').first().textContent({ timeout: 5000 })) || '').trim();
    if (name === 'query') {
      await page.waitForFunction((mark) => {
        const results = document.querySelector('.yasr_results');
        return results && results.textContent.includes(mark);
      }, MARK, { timeout: 20000 });
      entry.answered = true;
      entry.tabs = await page.evaluate(() => window.lodYasgui.persistentConfig.getTabs().length);
      entry.endpoint = await page.evaluate(() => window.lodYasgui.getTab().getEndpoint());
    }
    entry.violations = await page.evaluate(() => window.__violations);
    Object.assign(entry, seen);
    result.pages[name] = entry;
    await page.close();
  }

  // The attack of issue 13: a link to our query page that names an endpoint elsewhere, whose answer
  // carries markup in an xml:lang. YASGUI used to run the query there at once and write that into the page.
  const { page, seen } = await open(context);
  const link = `${base}sparql#query=${encodeURIComponent(QUERY)}&endpoint=${encodeURIComponent(hostile)}`;
  await page.goto(link, { waitUntil: 'load' });
  await page.waitForFunction((mark) => {
    const results = document.querySelector('.yasr_results');
    return (results && results.textContent.includes(mark)) || window.__xss;
  }, MARK, { timeout: 20000 }).catch(() => {});
  await page.waitForTimeout(1000); // time for anything else it might do
  Object.assign(result.hostile, seen, {
    xss: await page.evaluate(() => window.__xss || null),
    violations: await page.evaluate(() => window.__violations),
    endpoint: await page.evaluate(() => window.lodYasgui.getTab().getEndpoint()),
    answered: await page.evaluate((mark) => (document.querySelector('.yasr_results') || {}).textContent?.includes(mark) || false, MARK),
    hash: await page.evaluate(() => window.location.hash),
  });
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error && error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result, null, 1));
process.exit(result.ok ? 0 : 1);
