// Search in a real browser at phone size: type in the header box, see
// results, filter by type, follow a result; under a strict CSP over HTTP, and
// from file:// in a portable copy. The search page says JS is needed without it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { buildSite, serveDir, launch, phonePage, axe } from './lib.mjs';

const CSP = { 'content-security-policy': "default-src 'self'" };

/** Collects console errors and CSP violations of a page. */
function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

async function typeQuery(page, query) {
  // On a phone the box opens from the header's search button.
  if (!(await page.isVisible('#q-tim-kiem'))) await page.click('.hbtn-search');
  await page.click('#q-tim-kiem');
  await page.fill('#q-tim-kiem', query);
  await page.waitForSelector('.search-list li');
}

/** Runs `fn(page, server, site)` on a phone page of the shipped site served
    under the strict CSP; no error may show in the console. */
async function onShippedSite(fn) {
  const site = buildSite();
  const server = await serveDir(site, { headers: CSP });
  const browser = await launch();
  try {
    const page = await phonePage(browser);
    const errors = watchErrors(page);
    await fn(page, server, site);
    assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused/.test(e)), []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
}

test('search from the header: results, type filter, follow a result (HTTP, strict CSP)', async () => {
  await onShippedSite(async (page, server, site) => {
    await page.goto(server.url);
    assert.ok(!server.requests.some((p) => p.includes('/search/') || /\/search\.[0-9a-f]+\.js/.test(p)),
      'the index and search.js load only once the box is used');
    await typeQuery(page, 'chuyen doi so');
    assert.ok(server.requests.some((p) => p.includes('/search/meta.')));
    // Only the shards the query needs: a few term shards, the texts of the results shown.
    const shards = (kind) => server.requests.filter((p) => p.startsWith(`/search/${kind}.`)).length;
    const terms = readdirSync(join(site, 'search')).filter((f) => f.startsWith('t.')).length;
    assert.ok(shards('t') > 0 && shards('t') * 4 < terms, `${shards('t')} of ${terms} term shards`);
    assert.ok(shards('d') > 0 && shards('d') <= 10, `${shards('d')} doc shards`);
    const status = await page.textContent('.search-status');
    assert.match(status, /\d+ kết quả cho “chuyen doi so”/);
    assert.equal(await page.getAttribute('.search-status', 'aria-live'), 'polite');
    const marks = await page.$$eval('.search-list mark', (ms) => ms.map((m) => m.textContent));
    // The phrase is marked whole, in its original spelling.
    assert.ok(marks.includes('chuyển đổi số'), marks.slice(0, 6).join(','));

    // The list is drawn again once the texts of the filtered results are loaded.
    const onlyOf = (label) => page.waitForFunction((l) => {
      const types = [...document.querySelectorAll('.search-list .search-type')];
      return types.length > 0 && types.every((t) => t.textContent === l);
    }, label);
    await page.click('.search-filters button:has-text("Hướng dẫn")');
    await onlyOf('Hướng dẫn');
    assert.equal(await page.getAttribute('.search-filters button:has-text("Hướng dẫn")', 'aria-pressed'), 'true');
    const labels = await page.$$eval('.search-list .search-type', (ls) => ls.map((l) => l.textContent));
    assert.ok(labels.length > 0 && labels.every((l) => l === 'Hướng dẫn'), labels.join(','));

    await page.click('.search-filters button:has-text("Hỏi đáp")');
    await onlyOf('Hỏi đáp');
    const first = await page.getAttribute('.search-list a', 'href');
    assert.match(first, /^\/hoi-dap\//);
    await Promise.all([page.waitForURL(/\/hoi-dap\//), page.click('.search-list a')]);
    assert.ok((await page.textContent('h1')).length > 3);

    await page.goto(server.url);
    await typeQuery(page, '5g');
    assert.equal(await page.getAttribute('.search-list a', 'href'), '/nghi-quyet/muc-tieu/phu-song-5g-2030/');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '/nghi-quyet/muc-tieu/phu-song-5g-2030/');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `results scroll sideways by ${overflow}px`);
  });
});

/** The first results of a query on the search page: [{href, marks, excerpt}]. */
async function results(page, url, query, n = 3) {
  await page.goto(`${url}tim-kiem/?q=${encodeURIComponent(query)}`);
  await page.waitForSelector('.search-list li');
  return page.$$eval('.search-list li', (lis, n) => lis.slice(0, n).map((li) => ({
    href: li.querySelector('a').getAttribute('href'),
    marks: Array.from(li.querySelectorAll('mark'), (m) => m.textContent),
    excerpt: li.querySelector('.search-excerpt').textContent,
  })), n);
}

test('the kinds of query readers type: abbreviations, questions, names, figures, unaccented words', async () => {
  await onShippedSite(async (page, server) => {
    // An abbreviation its page never writes.
    let r = await results(page, server.url, 'AI');
    assert.equal(r[0].href, '/nghi-quyet/muc-tieu/tri-tue-nhan-tao-2030/');
    assert.ok(r[0].marks.some((m) => /trí tuệ nhân tạo/i.test(m)), r[0].marks.join('|'));
    // A question: its question words are weak and never marked.
    r = await results(page, server.url, 'vì sao gọi là khoán 10');
    assert.equal(r[0].href, '/hoi-dap/phan-2/cau-35/');
    assert.ok(r[0].marks.some((m) => /khoán 10/i.test(m)), r[0].marks.join('|'));
    assert.ok(!r[0].marks.some((m) => /^(vì sao|là)$/i.test(m)), r[0].marks.join('|'));
    r = await results(page, server.url, 'khi nào phủ sóng 5G toàn quốc');
    assert.equal(r[0].href, '/nghi-quyet/muc-tieu/phu-song-5g-2030/');
    // A name held in the front matter (place, issuer, signer).
    for (const q of ['Bình Phước', 'binh phuoc', 'Mạc Đình Huấn']) {
      r = await results(page, server.url, q, 1);
      assert.equal(r[0].href, '/huong-dan/binh-phuoc/', q);
    }
    // A figure as readers remember it.
    r = await results(page, server.url, 'top 50 thế giới');
    assert.equal(r[0].href, '/nghi-quyet/muc-tieu/canh-tranh-so-the-gioi-2030/');
    // Not every word need match: the 5G target never writes "mạng".
    r = await results(page, server.url, 'mạng 5G', 10);
    assert.ok(r.some((x) => x.href === '/nghi-quyet/muc-tieu/phu-song-5g-2030/'), r.map((x) => x.href).join(' '));
    // "số" of "Nghị quyết số 57" is no part of "chuyển đổi số": never marked alone.
    r = await results(page, server.url, 'chuyển đổi số', 10);
    for (const x of r) assert.ok(!x.marks.some((m) => /^số$/i.test(m)), `${x.href}: ${x.marks.join('|')}`);
    // Unaccented: dang finds Đảng, marked as written.
    r = await results(page, server.url, 'dang', 5);
    assert.ok(r.some((x) => x.marks.includes('Đảng')), r.map((x) => x.marks.join('|')).join(' / '));
    // The excerpt holds the phrase found, marked whole.
    r = await results(page, server.url, 'binh dan hoc vu so', 1);
    assert.equal(r[0].href, '/hoi-dap/phan-3/cau-72/');
    assert.ok(r[0].marks.includes('Bình dân học vụ số'), r[0].marks.join('|'));
  });
});

test('the search page runs ?q= and passes axe; without JS it says JS is needed', async () => {
  const site = buildSite();
  const server = await serveDir(site);
  const browser = await launch();
  try {
    const page = await phonePage(browser);
    await page.goto(`${server.url}tim-kiem/?q=thanh+nien`);
    await page.waitForSelector('.search-list li');
    assert.equal(await page.inputValue('#q-tim-kiem'), 'thanh nien');
    const top3 = await page.$$eval('.search-list a', (as) => as.slice(0, 3).map((a) => a.getAttribute('href')));
    assert.ok(top3.includes('/hoi-dap/phan-3/cau-74/'), top3.join(' '));
    assert.ok(await page.isHidden('[data-search-nojs]'));
    assert.deepEqual(await axe(page), []);

    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
    const nojs = await ctx.newPage();
    await nojs.goto(`${server.url}tim-kiem/?q=dang`);
    assert.match(await nojs.textContent('[data-search-nojs]'), /JavaScript/);
    await nojs.goto(server.url);
    await nojs.click('.hbtn-search');
    await Promise.all([nojs.waitForURL(/tim-kiem\/\?q=dang/), nojs.fill('#q-tim-kiem', 'dang').then(() => nojs.press('#q-tim-kiem', 'Enter'))]);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('search works from file:// in a portable copy', async () => {
  const site = buildSite({ args: ['--portable'] });
  const browser = await launch();
  try {
    const page = await phonePage(browser);
    const errors = watchErrors(page);
    await page.goto(pathToFileURL(join(site, 'hoi-dap', 'index.html')).href);
    await typeQuery(page, 'thanh nien');
    const hrefs = await page.$$eval('.search-list a', (as) => as.slice(0, 3).map((a) => a.getAttribute('href')));
    assert.ok(hrefs.includes('../hoi-dap/phan-3/cau-74/index.html'), hrefs.join(' '));
    await Promise.all([page.waitForURL(/cau-\d+\/index\.html$/), page.click('.search-list a')]);
    assert.match(page.url(), /^file:.*\/hoi-dap\/phan-3\/cau-7\d\/index\.html$/);

    await page.goto(pathToFileURL(join(site, 'index.html')).href);
    await typeQuery(page, 'Đảng');
    assert.match(await page.getAttribute('.search-list a', 'href'), /^\.\/.*index\.html$/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
