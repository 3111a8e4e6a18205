// Printing (issue 5): the infographic prints on at most two A4 pages and its
// A3 variant on one sheet, the Q&A booklet prints all 75 questions in order,
// nothing runs off the right edge, and every figure of the infographic is in
// the PDF text as the summary prints it, with each target that writes it
// otherwise marked (issue 15). On a phone the infographic does not scroll
// sideways and each figure links to its target pages.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSite, serveDir, launch, phonePage, axe, REPO } from './lib.mjs';

const CSP = { 'content-security-policy': "default-src 'self'" };
const TARGETS = join(REPO, 'content', 'nghi-quyet', 'muc-tieu');

/** One front-matter string field of a Markdown file (enough for these files). */
function field(text, key) {
  const m = text.match(new RegExp(`^${key}: "([^"]*)"`, 'm'));
  return m ? m[1] : undefined;
}

/** Target id → { figure, value } from the target files. */
function targets() {
  const out = {};
  for (const f of readdirSync(TARGETS).filter((f) => f.endsWith('.md') && f !== '_index.md')) {
    const text = readFileSync(join(TARGETS, f), 'utf8');
    out[field(text, 'id')] = { figure: field(text, 'figure'), value: field(text, 'value') };
  }
  return out;
}

/** The infographic's `figures:` blocks: the summary's figure and the target ids it stands for. */
function figureBlocks() {
  const fm = readFileSync(join(REPO, 'content', 'infographic.md'), 'utf8').split('\n---\n')[0];
  return fm.split(/^ {2}- target: /m).slice(1).map((block) => {
    const ids = [block.match(/^"([^"]+)"/)[1]];
    const also = block.match(/also_targets: \[([^\]]*)\]/);
    if (also) ids.push(...also[1].split(',').map((s) => s.trim().replace(/"/g, '')));
    return { figure: block.match(/summary_figure: "([^"]*)"/)[1], ids };
  });
}

/** Two ways of writing one figure ("> 80%", ">80%"; "TOP 3", "Top 3") count as the same. */
const same = (a, b) => a.toLowerCase().replace(/\s+/g, '') === b.toLowerCase().replace(/\s+/g, '');

function pdfinfo(file) {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const pages = Number(r.stdout.match(/^Pages:\s+(\d+)/m)[1]);
  const [, w, h] = r.stdout.match(/^Page size:\s+([\d.]+) x ([\d.]+)/m);
  return { pages, width: Math.round(Number(w)), height: Math.round(Number(h)) };
}

const norm = (s) => s.normalize('NFC').replace(/\s+/g, ' ');

function pdftext(file) {
  const r = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return norm(r.stdout);
}

/** Words whose box leaves the page (pdftotext -bbox), as "page: word". */
function clippedWords(file) {
  const r = spawnSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const out = [];
  let page = 0;
  let width = 0;
  for (const line of r.stdout.split('\n')) {
    const p = line.match(/<page width="([\d.]+)"/);
    if (p) { page += 1; width = Number(p[1]); continue; }
    const w = line.match(/<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)" yMax="[-\d.]+">([^<]*)</);
    if (w && (Number(w[1]) < 0 || Number(w[2]) > width)) out.push(`${page}: ${w[3]}`);
  }
  return out;
}

/** Prints `path` of the served site to a PDF file; returns its path. */
async function printPdf(browser, url, file) {
  const page = await browser.newPage();
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
  const res = await page.goto(url);
  assert.equal(res.status(), 200, url);
  await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  await page.close();
  assert.deepEqual(blocked, [], `${url}: nothing blocked by a strict CSP`);
  return file;
}

test('infographic prints on at most two A4 pages, A3 variant on one sheet, with every figure', async () => {
  const site = buildSite();
  const server = await serveDir(site, { headers: CSP });
  const browser = await launch();
  const dir = mkdtempSync(join(tmpdir(), 'nqsite-print-'));
  try {
    const a4 = await printPdf(browser, `${server.url}infographic/`, join(dir, 'infographic-a4.pdf'));
    const a3 = await printPdf(browser, `${server.url}infographic/a3/`, join(dir, 'infographic-a3.pdf'));
    const i4 = pdfinfo(a4);
    assert.deepEqual([i4.width, i4.height], [595, 842], 'A4 portrait');
    assert.ok(i4.pages >= 1 && i4.pages <= 2, `A4 infographic has ${i4.pages} pages`);
    const i3 = pdfinfo(a3);
    assert.deepEqual([i3.width, i3.height], [842, 1191], 'A3 portrait');
    assert.equal(i3.pages, 1, 'A3 poster on one sheet');
    const all = targets();
    const blocks = figureBlocks();
    assert.ok(blocks.length >= 10, `figures shown: ${blocks.length}`);
    for (const file of [a4, a3]) {
      const text = pdftext(file);
      for (const b of blocks) {
        assert.ok(text.includes(norm(b.figure)), `${file}: figure ${b.figure} as the summary prints it`);
        for (const id of b.ids.filter((id) => !same(all[id].figure, b.figure))) {
          assert.ok(text.includes(norm(`“${all[id].value}”`)), `${file}: ${id} writes ${all[id].value}, marked on the page`);
        }
      }
      assert.ok(text.includes('Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị'), `${file}: source and date`);
      assert.ok(!text.includes('Tìm kiếm') && !text.includes('Hướng dẫn Hỏi'), `${file}: no navigation or search`);
      assert.deepEqual(clippedWords(file), [], `${file}: nothing off the page edge`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
});

test('the Q&A booklet prints on A4 with all 75 questions in order', async () => {
  const site = buildSite();
  const server = await serveDir(site, { headers: CSP });
  const browser = await launch();
  const dir = mkdtempSync(join(tmpdir(), 'nqsite-print-'));
  try {
    const pdf = await printPdf(browser, `${server.url}hoi-dap/ban-in/`, join(dir, 'booklet.pdf'));
    const info = pdfinfo(pdf);
    assert.deepEqual([info.width, info.height], [595, 842], 'A4 portrait');
    const text = pdftext(pdf);
    // The table of contents lists the questions first; the bodies follow it.
    let at = text.indexOf('Câu hỏi 75:');
    assert.ok(at > 0, 'table of contents');
    for (let n = 1; n <= 75; n += 1) {
      const next = text.indexOf(`Câu hỏi ${n}:`, at + 1);
      assert.ok(next > at, `Câu hỏi ${n} comes after Câu hỏi ${n - 1} in the body`);
      at = next;
    }
    assert.deepEqual(clippedWords(pdf), [], 'nothing off the page edge');
    const html = readFileSync(join(site, 'hoi-dap', 'ban-in', 'index.html'), 'utf8');
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'ids unique on the booklet page');
    for (const m of html.matchAll(/ href="#([^"]+)"/g)) assert.ok(ids.includes(m[1]), `#${m[1]} exists`);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('infographic at 360 px: no sideways scroll, every figure links to its target page', async () => {
  const site = buildSite();
  const server = await serveDir(site, { headers: CSP });
  const browser = await launch();
  try {
    const page = await phonePage(browser);
    await page.goto(`${server.url}infographic/`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `scrolls sideways by ${overflow}px`);
    const cards = await page.$$eval('.ig-figcard', (cs) => cs.map((c) => ({
      num: c.querySelector('.ig-num').textContent.replace(/\*$/, ''),
      hrefs: [...c.querySelectorAll('a.ig-fig')].map((a) => a.getAttribute('href')),
    })));
    const blocks = figureBlocks();
    assert.equal(cards.length, blocks.length, 'one card per figure of the summary');
    const figs = cards.flatMap((c) => c.hrefs.map((href) => ({ href })));
    for (const [k, b] of blocks.entries()) {
      assert.equal(norm(cards[k].num), norm(b.figure), `card ${k + 1} shows ${b.figure} as printed`);
      for (const id of b.ids) assert.ok(cards[k].hrefs.some((h) => h.endsWith(`/nghi-quyet/muc-tieu/${id}/`)), `${b.figure} links to ${id}`);
    }
    for (const f of figs) {
      const res = await page.request.get(new URL(f.href, server.url).href);
      assert.equal(res.status(), 200, f.href);
    }
    const inline = await page.$$eval('[style]', (els) => els.length);
    assert.equal(inline, 0, 'no inline style attributes');
    // axe injects an inline script: run it on a server without the CSP.
    const plain = await serveDir(site);
    try {
      for (const path of ['infographic/', 'infographic/a3/', 'hoi-dap/ban-in/']) {
        await page.goto(plain.url + path);
        assert.deepEqual(await axe(page), [], `${path}: no WCAG 2.1 AA violation`);
      }
    } finally {
      await plain.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
});

test('changing a target file changes the infographic on the next build', () => {
  const root = mkdtempSync(join(tmpdir(), 'nqsite-fig-'));
  for (const d of ['content', 'themes']) cpSync(join(REPO, d), join(root, d), { recursive: true });
  cpSync(join(REPO, 'site.yaml'), join(root, 'site.yaml'));
  const file = join(root, 'content', 'nghi-quyet', 'muc-tieu', 'tfp-2030.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^figure: ".*"$/m, 'figure: ">56,5%"'));
  const site = buildSite({ root });
  for (const path of ['infographic/index.html', 'infographic/a3/index.html', 'nghi-quyet/muc-tieu/tfp-2030/index.html']) {
    assert.ok(readFileSync(join(site, path), 'utf8').includes('&gt;56,5%'), `${path} shows the new figure`);
  }
});
