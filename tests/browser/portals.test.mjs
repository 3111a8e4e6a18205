// Publishing to portals: the site under a sub-path of a plain server, the
// portable copy opened from file://, a strict Content-Security-Policy, and
// the open data validated against its published schema.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { buildSite, serveDir, launch, phonePage } from './lib.mjs';

/** Every href/src of an HTML text. */
function links(html) {
  return [...html.matchAll(/\s(?:href|src)="([^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
}

test('under a sub-path every link of every page answers (no 404)', async () => {
  const site = buildSite({ args: ['--base-url', 'http://127.0.0.1/nq57/'] });
  const server = await serveDir(site, { prefix: '/nq57/' });
  const origin = new URL(server.url).origin;
  try {
    const seen = new Set();
    const queue = [server.url];
    const broken = [];
    while (queue.length) {
      const url = queue.shift();
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await fetch(url);
      if (res.status !== 200) { broken.push(`${url} → ${res.status}`); continue; }
      if (!(res.headers.get('content-type') || '').startsWith('text/html')) continue;
      for (const href of links(await res.text())) {
        const abs = new URL(href, url);
        // Absolute links to the configured origin point at this server.
        if (abs.hostname !== '127.0.0.1') continue;
        const local = new URL(abs.pathname, origin).href;
        if (!seen.has(local)) queue.push(local);
      }
    }
    assert.ok(seen.size > 140, `crawled ${seen.size} URLs`);
    assert.deepEqual(broken, []);
    assert.ok(server.requests.every((p) => p.startsWith('/nq57/')), 'nothing asked outside the sub-path');
  } finally {
    await server.close();
  }
});

test('the portable copy works from file:// and links stay inside it', async () => {
  const site = buildSite({ args: ['--portable'] });
  const browser = await launch();
  try {
    const page = await phonePage(browser);
    await page.goto(pathToFileURL(join(site, 'index.html')).href);
    assert.match(await page.textContent('h1'), /Nghị quyết/);
    await page.click('.hbtn-menu');
    await page.click('#danh-muc a[href*="hoi-dap"]');
    await page.waitForLoadState();
    assert.ok(page.url().endsWith('/hoi-dap/index.html'), page.url());
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
    for (const h of hrefs.filter((h) => h.startsWith('file:'))) {
      assert.ok(h.startsWith(pathToFileURL(site).href), `${h} leaves the copy`);
      assert.ok(/\.html(#.*)?$|\.(css|js|xml|json|csv|svg|png)$/.test(h), `${h} needs an explicit file`);
    }
    const css = await page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).borderBottomStyle);
    assert.equal(css, 'solid', 'the stylesheet loads from file://');
  } finally {
    await browser.close();
  }
});

test("the site works under Content-Security-Policy: default-src 'self'", async () => {
  const site = buildSite();
  const csp = "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'";
  const server = await serveDir(site, { headers: { 'Content-Security-Policy': csp } });
  const browser = await launch();
  try {
    const page = await phonePage(browser);
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    for (const path of ['', 'hoi-dap/phan-2/cau-15/', 'nghi-quyet/muc-tieu/tfp-2030/', 'huong-dan/tinh-uy/', 'ma-tran/', 'embed/tfp-2030/']) {
      await page.goto(server.url + path);
      await page.evaluate(() => new Promise((ok) => setTimeout(ok, 50)));
      const violations = await page.evaluate(() => window.__cspViolations || []);
      assert.deepEqual(violations, [], path);
      const styled = await page.evaluate(() => document.styleSheets.length);
      assert.ok(styled >= 1, `${path}: stylesheet applied`);
    }
    assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused/.test(p)), []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('open data validates against the published JSON Schemas', () => {
  const site = buildSite();
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  for (const name of ['targets', 'questions']) {
    const schema = JSON.parse(readFileSync(join(site, 'data', 'schema', `${name}.schema.json`), 'utf8'));
    const data = JSON.parse(readFileSync(join(site, 'data', `${name}.json`), 'utf8'));
    const validate = ajv.compile(schema);
    assert.ok(validate(data), `${name}: ${JSON.stringify(validate.errors, null, 1)}`);
  }
  const broken = JSON.parse(readFileSync(join(site, 'data', 'targets.json'), 'utf8'));
  delete broken.targets[0].value;
  const validate = ajv.getSchema('targets.schema.json');
  assert.equal(validate(broken), false, 'a record without its value is rejected');
});
