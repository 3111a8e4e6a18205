// Reading on a phone and on a desktop (issue 15): the header's height, where
// a question's answer starts, no sideways scrolling and 44×44 px touch targets
// on every page, the navigation and search without JavaScript, the 404 page,
// the infographic's graphics, and screenshots of every page type (kept in
// tests/browser/artifacts/, which git ignores) for a person to look at.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSite, serveDir, launch, REPO, PAGE_TYPES } from './lib.mjs';

const PHONE = { width: 360, height: 780 };
const DESKTOP = { width: 1280, height: 800 };
const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');

/** Every page type, and the book on one page. */
const TYPES = { ...PAGE_TYPES, booklet: 'hoi-dap/ban-in/' };

/** Three question pages: the example, the longest question of the book, and one of another part. */
const QUESTIONS = ['hoi-dap/phan-2/cau-15/', 'hoi-dap/phan-2/cau-26/', 'hoi-dap/phan-1/cau-01/'];

function htmlPages(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return htmlPages(p);
    return name === 'index.html' ? [relative(dir, p).replace(/index\.html$/, '')] : [];
  });
}

/** Runs `fn` with the shipped site built, served and a browser open. */
async function withSite(fn) {
  const site = buildSite();
  const server = await serveDir(site);
  const browser = await launch();
  try {
    return await fn({ site, server, browser });
  } finally {
    await browser.close();
    await server.close();
  }
}

async function context(browser, viewport, opts = {}) {
  const phone = viewport.width < 600;
  return browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: phone, hasTouch: phone, ...opts });
}

/**
 * Links and buttons outside running text: how many are shown, and those
 * whose box is smaller than 44×44 px, as "text (w×h)". Running text: a
 * document's body, quotations, excerpts, footnotes and the infographic's
 * text, where links sit inside sentences.
 */
function smallTargets() {
  const prose = '.body, blockquote, .excerpt, .footnote, .ig-text, .ig-card:not(.ig-figcard), .ig-outro, .notes, .search-excerpt';
  const out = [];
  let shown = 0;
  for (const el of document.querySelectorAll('a[href], button, summary, input:not([type=hidden])')) {
    if (el.closest(prose)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0) continue;
    shown += 1;
    if (r.width < 44 || r.height < 44) {
      out.push(`${(el.textContent || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 40)} (${Math.round(r.width)}×${Math.round(r.height)})`);
    }
  }
  return { shown, small: out };
}

test('every page: no sideways scrolling and touch targets of 44×44 px, on a phone and a desktop', { timeout: 1_800_000 }, async () => {
  const failures = await withSite(async ({ site, server, browser }) => {
    const pages = htmlPages(site).filter((p) => !p.startsWith('embed/'));
    assert.ok(pages.length > 130, `${pages.length} pages`);
    const failures = [];
    let shown = 0;
    for (const viewport of [PHONE, DESKTOP]) {
      const ctx = await context(browser, viewport);
      const page = await ctx.newPage();
      for (const path of pages) {
        await page.goto(server.url + path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) failures.push(`${viewport.width}px /${path}: scrolls sideways by ${overflow}px`);
        const targets = await page.evaluate(smallTargets);
        shown += targets.shown;
        for (const t of targets.small) failures.push(`${viewport.width}px /${path}: ${t}`);
      }
      await ctx.close();
    }
    assert.ok(shown > pages.length * 2 * 8, `${shown} links and buttons measured`);
    return failures;
  });
  assert.deepEqual(failures, []);
});

test('the header is at most 64 px tall on a phone, every page type, and one line high on a desktop', async (t) => {
  const heights = await withSite(async ({ server, browser }) => {
    const heights = {};
    for (const viewport of [PHONE, DESKTOP]) {
      const ctx = await context(browser, viewport);
      const page = await ctx.newPage();
      // The embeddable card has no header: it is shown inside other sites.
      for (const [kind, path] of Object.entries(TYPES).filter(([kind]) => kind !== 'embed')) {
        await page.goto(server.url + path);
        heights[`${viewport.width} ${kind}`] = await page.evaluate(() => document.querySelector('.site-header').getBoundingClientRect().height);
      }
      await ctx.close();
    }
    return heights;
  });
  t.diagnostic(`header heights: ${[...new Set(Object.values(heights))].join(', ')} px`);
  for (const [key, h] of Object.entries(heights)) {
    // The search page shows its search box under the bar on a phone.
    const max = key === '360 search' ? 120 : 64;
    assert.ok(h <= max, `${key}: header ${h}px`);
  }
  assert.equal(new Set(Object.entries(heights).filter(([k]) => k.startsWith('1280')).map(([, h]) => h)).size, 1, 'same header height on every desktop page');
});

test('on a phone a question\'s answer starts within the first screen (top ≤ 420 px)', async (t) => {
  await withSite(async ({ server, browser }) => {
    const ctx = await context(browser, PHONE);
    const page = await ctx.newPage();
    for (const path of QUESTIONS) {
      await page.goto(server.url + path);
      const m = await page.evaluate(() => {
        const first = document.querySelector('.doc-question .body > *');
        const crumbs = document.querySelector('.breadcrumbs');
        return { top: first.getBoundingClientRect().top + window.scrollY, crumbs: crumbs.getBoundingClientRect().height };
      });
      t.diagnostic(`${path}: the answer starts at ${Math.round(m.top)} px`);
      assert.ok(m.top <= 420, `${path}: the answer starts at ${m.top}px`);
      assert.ok(m.crumbs <= 48, `${path}: the breadcrumb is one line (${m.crumbs}px)`);
    }
    // The part's neighbours, the current one marked, not the whole part.
    await page.goto(server.url + QUESTIONS[0]);
    const near = await page.$$eval('.section-nav li a', (as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('aria-current')]));
    assert.ok(near.length >= 3 && near.length <= 5, `neighbours: ${near.length}`);
    assert.deepEqual(near.filter(([, c]) => c === 'page').map(([h]) => h), [`/${QUESTIONS[0]}`]);
    assert.ok(await page.$('.prevnext .prev') && await page.$('.prevnext .next'), 'previous and next');
  });
});

test('without JavaScript: the menu opens the navigation with the current page marked, search is one tap away and lists every page', async () => {
  await withSite(async ({ site, server, browser }) => {
    const ctx = await context(browser, PHONE, { javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(server.url + QUESTIONS[0]);
    assert.equal(await page.isVisible('#danh-muc'), false, 'the drawer starts closed');
    assert.equal(await page.isVisible('#q-tim-kiem'), false, 'the search box starts closed');
    await page.click('.hbtn-menu');
    assert.equal(await page.isVisible('#danh-muc'), true, 'the menu button opens the drawer');
    const current = await page.$$eval('#danh-muc [aria-current="page"]', (as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(current, [`/${QUESTIONS[0]}`], 'the drawer marks the current page');
    assert.ok(await page.$('#danh-muc a[aria-current="true"][href="/hoi-dap/"]'), 'and its section');
    await page.click('.drawer-close');
    assert.equal(await page.isVisible('#danh-muc'), false, 'the drawer closes');
    await page.click('.hbtn-search');
    assert.equal(await page.isVisible('#q-tim-kiem'), true, 'one tap shows the search box');
    await page.fill('#q-tim-kiem', 'chuyển đổi số');
    await page.press('#q-tim-kiem', 'Enter');
    await page.waitForURL(/tim-kiem\/\?q=/);
    const listed = new Set(await page.$$eval('.search-nojs a', (as) => as.map((a) => a.getAttribute('href'))));
    const missing = htmlPages(site).filter((p) => !p.startsWith('embed/') && !p.startsWith('tim-kiem') && !p.startsWith('infographic/a3')).filter((p) => !listed.has(`/${p}`));
    assert.deepEqual(missing, [], 'the search page lists every page');
    // The 404 page offers the search and the main sections.
    await page.goto(server.url + 'khong-co-trang-nay/');
    assert.ok(await page.isVisible('.not-found form[action="/tim-kiem/"] input[name="q"]'), '404: a search box');
    const sections = await page.$$eval('.not-found .listing a', (as) => as.map((a) => a.getAttribute('href')));
    for (const href of ['/', '/nghi-quyet/', '/huong-dan/', '/hoi-dap/']) assert.ok(sections.includes(href), `404 links to ${href}`);
    await ctx.close();
    // On a desktop the navigation is a sidebar, shown without a tap.
    const wide = await context(browser, DESKTOP, { javaScriptEnabled: false });
    const desk = await wide.newPage();
    await desk.goto(server.url + QUESTIONS[0]);
    assert.equal(await desk.isVisible('#danh-muc'), true, 'desktop sidebar');
    assert.equal(await desk.isVisible('#q-tim-kiem'), true, 'desktop search box');
    await wide.close();
  });
});

test('the infographic draws its graphics as accessible SVG: title and description on each', async () => {
  await withSite(async ({ server, browser }) => {
    const ctx = await context(browser, PHONE);
    const page = await ctx.newPage();
    await page.goto(server.url + 'infographic/');
    const graphics = await page.$$eval('.ig svg[role="img"]', (svgs) => svgs.map((s) => {
      const ids = (s.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
      return {
        title: s.querySelector(':scope > title')?.textContent.trim() || '',
        desc: s.querySelector(':scope > desc')?.textContent.trim() || '',
        labelled: ids.length === 2 && ids.every((id) => document.getElementById(id)),
        width: s.getBoundingClientRect().width,
      };
    }));
    assert.ok(graphics.length >= 10, `${graphics.length} graphics`);
    for (const g of graphics) {
      assert.ok(g.title.length > 3 && g.desc.length > 3, `graphic with title and description: ${JSON.stringify(g)}`);
      assert.ok(g.labelled, `${g.title}: labelled by its title and description`);
      assert.ok(g.width > 100, `${g.title}: drawn ${g.width}px wide`);
    }
    // The timeline's years are in order.
    const years = await page.$$eval('.ig-timeline .year', (ts) => ts.map((t) => Number(t.textContent)));
    assert.ok(years.length >= 3, `timeline: ${years}`);
    assert.deepEqual(years, [...years].sort((a, b) => a - b), 'timeline years in order');
    const titles = graphics.map((g) => g.title);
    for (const t of ['Tỉ trọng trong GDP', 'Thứ hạng', 'Các chỉ tiêu tính bằng tỉ lệ phần trăm']) assert.ok(titles.includes(t), `chart: ${t}`);
    // No editors' note on the reader's page.
    const text = await page.textContent('main');
    assert.ok(!/trường figures|summary_figure/.test(text), 'no internal note');
  });
});

test('screenshots of every page type on a phone and a desktop, and of the infographic printed', { timeout: 600_000 }, async () => {
  const written = await withSite(async ({ server, browser }) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const written = [];
    for (const [tag, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const ctx = await context(browser, viewport);
      const page = await ctx.newPage();
      for (const [kind, path] of Object.entries(TYPES)) {
        await page.goto(server.url + path);
        const file = join(ARTIFACTS, `${kind}-${tag}.png`);
        writeFileSync(file, await page.screenshot({ fullPage: kind !== 'booklet' }));
        written.push(file);
      }
      // The drawer open, on a phone.
      if (tag === 'phone') {
        await page.goto(`${server.url}${QUESTIONS[0]}#danh-muc`);
        const file = join(ARTIFACTS, `drawer-${tag}.png`);
        writeFileSync(file, await page.screenshot());
        written.push(file);
      }
      await ctx.close();
    }
    const page = await browser.newPage();
    for (const [path, name] of [['infographic/', 'infographic-a4'], ['infographic/a3/', 'infographic-a3']]) {
      await page.goto(server.url + path);
      const pdf = join(ARTIFACTS, `${name}.pdf`);
      await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
      const r = spawnSync('pdftoppm', ['-r', '60', '-png', pdf, join(ARTIFACTS, name)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      written.push(pdf);
    }
    return written;
  });
  for (const f of written) assert.ok(statSync(f).size > 2000, `${f} written`);
});
