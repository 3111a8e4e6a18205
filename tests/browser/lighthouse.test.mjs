// Lighthouse 12 (mobile defaults: emulated phone, slow 4G, 4x CPU slowdown)
// scores 100 in performance, accessibility, best practices and SEO on the
// home page, a question page and a target page of the default build (the
// shipped `base_url: "/"`, no host: robots.txt must still be valid).
import test from 'node:test';
import assert from 'node:assert/strict';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { buildSite, serveDir, CHROMIUM } from './lib.mjs';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

test('Lighthouse mobile scores are 100 on the home, a question and a target page', { timeout: 600_000 }, async () => {
  const site = buildSite();
  const server = await serveDir(site);
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const failures = [];
  try {
    for (const path of ['', 'hoi-dap/phan-2/cau-16/', 'nghi-quyet/muc-tieu/tfp-2030/']) {
      const result = await lighthouse(server.url + path, { port: chrome.port, logLevel: 'error', onlyCategories: CATEGORIES });
      for (const c of CATEGORIES) {
        const cat = result.lhr.categories[c];
        if (cat.score !== 1) {
          const lost = cat.auditRefs
            .map((ref) => result.lhr.audits[ref.id])
            .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
            .map((a) => `${a.id}=${a.score}`);
          failures.push(`${path || '/'} ${c}: ${Math.round(cat.score * 100)} (${lost.join(', ')})`);
        }
      }
    }
  } finally {
    chrome.kill();
    await server.close();
  }
  assert.deepEqual(failures, []);
});
