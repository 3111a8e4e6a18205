// The built site opens in headless Chromium at phone size and reads well.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildSite, serveDir, launch, phonePage } from './lib.mjs';

test('home and a question page open at 360 px with no horizontal scroll', async () => {
  const site = buildSite();
  const server = await serveDir(site);
  const browser = await launch();
  try {
    const page = await phonePage(browser);
    for (const path of ['', 'hoi-dap/phan-2/cau-15/', 'nghi-quyet/muc-tieu/tfp-2030/', 'ma-tran/']) {
      const res = await page.goto(server.url + path);
      assert.equal(res.status(), 200, path);
      const h1 = await page.textContent('h1');
      assert.ok(h1 && h1.length > 3, `${path} has a heading`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
