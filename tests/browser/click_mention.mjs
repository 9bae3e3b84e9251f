// Load a letter page in headless Chromium, click the highlighted mention of Kasparova-Popova,
// land on her page, save a screenshot, and print what happened as JSON (tests/test_browser.py reads it).
//
//   node tests/browser/click_mention.mjs BASE_URL SCREENSHOT.png
//
// Uses playwright-core with the system Chromium (no browser download): CHROMIUM env or /usr/bin/chromium.
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node click_mention.mjs BASE_URL SCREENSHOT.png');
  process.exit(2);
}
const LETTER = 'id/letter/1921-12-20-zalutsky-salts';
const PERSON = 'id/person/kasparova-popova';
const PERSON_DOC = 'doc/person/kasparova-popova';

const result = { base, requests: [], external: [], consoleErrors: [], pageErrors: [] };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.on('request', (request) => {
    const url = request.url();
    result.requests.push(url);
    const { protocol, hostname } = new URL(url);
    if (!['data:', 'about:', 'blob:'].includes(protocol) && hostname !== '127.0.0.1') result.external.push(url);
  });
  page.on('console', (msg) => { if (msg.type() === 'error') result.consoleErrors.push(msg.text()); });
  page.on('pageerror', (error) => result.pageErrors.push(String(error)));

  const response = await page.goto(base + LETTER, { waitUntil: 'load' });
  result.letterStatus = response.status();
  result.letterUrl = page.url();
  result.letterHeading = (await page.locator('h1').first().textContent()).trim();
  result.jsonld = await page.evaluate(() => {
    const script = document.querySelector('script[type="application/ld+json"]');
    try { return { ok: true, nodes: JSON.parse(script.textContent)['@graph'].length }; } catch (e) { return { ok: false, error: String(e) }; }
  });

  const mention = page.locator(`a.mention.person[href="${base}${PERSON}"]`).first();
  result.mention = {
    count: await page.locator(`a.mention[href="${base}${PERSON}"]`).count(),
    text: (await mention.textContent()).trim(),
    id: await mention.getAttribute('id'),
    background: await mention.evaluate((el) => getComputedStyle(el).backgroundColor),
    visible: await mention.isVisible(),
  };
  await Promise.all([page.waitForURL(`**/${PERSON_DOC}`), mention.click()]);
  await page.waitForLoadState('load');
  result.personUrl = page.url();
  result.personHeading = (await page.locator('h1').first().textContent()).trim();
  result.personTitle = await page.title();
  await page.screenshot({ path: screenshot, fullPage: false });
  result.screenshot = screenshot;

  // The same letter on a phone: nothing wider than the screen.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  small.on('request', (request) => {
    const url = request.url();
    result.requests.push(url);
    const { protocol, hostname } = new URL(url);
    if (!['data:', 'about:', 'blob:'].includes(protocol) && hostname !== '127.0.0.1') result.external.push(url);
  });
  await small.goto(base + LETTER, { waitUntil: 'load' });
  result.phone = await small.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (process.env.PHONE_SCREENSHOT) await small.screenshot({ path: process.env.PHONE_SCREENSHOT });
  result.ok = true;
} catch (error) {
  result.ok = false;
  result.error = String(error && error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result, null, 1));
process.exit(result.ok ? 0 : 1);
