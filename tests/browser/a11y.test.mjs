// Accessibility: zero axe-core violations (WCAG 2.0/2.1 A and AA) on every
// page type, in light and dark colour schemes, at phone size.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildSite, serveDir, launch, phonePage, axe, PAGE_TYPES } from './lib.mjs';


test('no axe violations on any page type, light and dark', async () => {
  const site = buildSite();
  const server = await serveDir(site);
  const browser = await launch();
  const failures = [];
  try {
    for (const scheme of ['light', 'dark']) {
      const page = await phonePage(browser, { colorScheme: scheme });
      for (const [kind, path] of Object.entries(PAGE_TYPES)) {
        await page.goto(server.url + path);
        const violations = await axe(page);
        for (const v of violations) failures.push(`${scheme} ${kind}: ${v.id} (${v.impact}) ${v.nodes.join(' | ')}`);
      }
      await page.context().close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  assert.deepEqual(failures, []);
});
