// The search index of the shipped site, loaded in Node with the very ranking
// code the browser runs (the built assets/search.*.js), answers the reference
// queries; the index and the script stay within their size budgets.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import vm from 'node:vm';
import { buildSite } from './lib.mjs';

const site = buildSite();
const manifest = /data-search="([^"]*)"/.exec(readFileSync(join(site, 'index.html'), 'utf8'))[1];
const sandbox = {};
sandbox.self = sandbox;
sandbox.window = sandbox;
vm.createContext(sandbox);
// Pages name only the fixed-name manifest; it names the hashed files.
vm.runInContext(readFileSync(join(site, manifest), 'utf8'), sandbox, { filename: manifest });
const scripts = sandbox.nqSearchScripts.split(' ');
for (const rel of scripts) vm.runInContext(readFileSync(join(site, rel), 'utf8'), sandbox, { filename: rel });
const api = sandbox.nqSearch;
const db = api.load(sandbox.nqSearchIndex);
const texts = sandbox.nqSearchText;

const gz = (rel) => gzipSync(readFileSync(join(site, rel)), { level: 9 }).length;
const page = (r) => db.pages[r.page];
const hrefs = (q, n) => api.search(db, q).slice(0, n).map((r) => page(r).href);
const fulltext = (r) => `${page(r).title} ${texts[r.page]}`.toLowerCase();

test('the page loads the manifest, which names the index files, then search.js', () => {
  assert.equal(manifest, 'search/manifest.js');
  assert.equal(scripts.length, 3);
  assert.match(scripts[0], /^search\/index\.[0-9a-f]{8}\.js$/);
  assert.match(scripts[1], /^search\/text\.[0-9a-f]{8}\.js$/);
  assert.match(scripts[2], /^assets\/search\.[0-9a-f]{8}\.js$/);
  assert.equal(db.pages.length, texts.length);
});

test('index is at most 150 KB and search.js at most 8 KB gzip', (t) => {
  const index = scripts.slice(0, 2).reduce((sum, rel) => sum + gz(rel), 0);
  const js = gz(scripts[2]);
  const boot = gz(readFileSync(join(site, 'index.html'), 'utf8').match(/assets\/search-boot\.[0-9a-f]{8}\.js/)[0]);
  t.diagnostic(`index ${(index / 1024).toFixed(1)} KB gzip (${scripts.slice(0, 2).map((r) => `${r} ${(gz(r) / 1024).toFixed(1)} KB`).join(', ')}); search.js ${(js / 1024).toFixed(1)} KB; search-boot.js ${boot} B`);
  console.log(`search sizes (gzip): index ${index} B, search.js ${js} B, search-boot.js ${boot} B`);
  assert.ok(index <= 150 * 1024, `index ${index} B`);
  assert.ok(js <= 8 * 1024, `search.js ${js} B`);
});

test('tfp finds the TFP target first', () => {
  const top = hrefs('tfp', 3);
  assert.ok(top.includes('nghi-quyet/muc-tieu/tfp-2030/') || top.includes('hoi-dap/phan-2/cau-16/'), top.join(' '));
  assert.equal(top[0], 'nghi-quyet/muc-tieu/tfp-2030/');
  assert.deepEqual(hrefs('TFP', 3), top);
});

test('5g finds the 5G coverage target', () => {
  assert.ok(hrefs('5g', 3).includes('nghi-quyet/muc-tieu/phu-song-5g-2030/'), hrefs('5g', 3).join(' '));
  assert.deepEqual(hrefs('5G', 5), hrefs('5g', 5));
});

test('chuyển đổi số gives the same top results with or without diacritics, in any case', () => {
  const exact = hrefs('chuyển đổi số', 5);
  assert.equal(exact.length, 5);
  assert.deepEqual(hrefs('CHUYỂN ĐỔI SỐ', 5), exact);
  assert.deepEqual(hrefs('Chuyển Đổi Số', 5), exact);
  // Without diacritics every spelling of each syllable counts, so scores
  // differ by a hair: the top 3 are the same, the next ones close.
  const top10 = hrefs('chuyển đổi số', 10);
  for (const q of ['chuyen doi so', 'CHUYEN DOI SO', 'chuyen đổi so']) {
    const plain = hrefs(q, 5);
    assert.deepEqual(plain.slice(0, 3), exact.slice(0, 3), q);
    for (const h of plain) assert.ok(top10.includes(h), `${q}: ${h}`);
  }
});

test('chuyển đổi số ranks pages with the phrase above pages with the words apart', () => {
  const results = api.search(db, 'chuyển đổi số');
  const hasPhrase = results.map((r) => fulltext(r).includes('chuyển đổi số'));
  const lastPhrase = hasPhrase.lastIndexOf(true);
  const firstApart = hasPhrase.indexOf(false);
  assert.ok(firstApart > 10, `a page without the phrase ranks ${firstApart + 1}`);
  assert.ok(lastPhrase < firstApart, `phrase page at ${lastPhrase + 1} below one without at ${firstApart + 1}`);
});

test('dang finds pages about Đảng, with the original spelling highlighted', () => {
  for (const q of ['dang', 'Đảng', 'ĐẢNG']) {
    const top = api.search(db, q).slice(0, 5);
    assert.equal(top.length, 5, q);
    for (const r of top) assert.match(fulltext(r), /đảng/, `${q}: ${page(r).href}`);
  }
  const best = api.search(db, 'dang').find((r) => /Đảng/.test(texts[r.page]));
  const parts = api.excerpt(texts[best.page], best.marks, page(best).body);
  assert.ok(parts.some((p) => p.mark && p.text === 'Đảng'), JSON.stringify(parts));
});

test('thanh nien finds question 74 on the youth', () => {
  assert.ok(hrefs('thanh nien', 3).includes('hoi-dap/phan-3/cau-74/'), hrefs('thanh nien', 3).join(' '));
  assert.ok(hrefs('thanh niên', 3).includes('hoi-dap/phan-3/cau-74/'));
});

test('dau tu finds investment', () => {
  const top = api.search(db, 'dau tu').slice(0, 5);
  assert.ok(top.length >= 5);
  assert.ok(fulltext(top[0]).includes('đầu tư'), page(top[0]).href);
});

test('doi moi ranks đổi mới, never a page for dời', () => {
  const top = api.search(db, 'doi moi').slice(0, 10);
  assert.equal(top.length, 10);
  for (const r of top) assert.ok(fulltext(r).includes('đổi mới'), page(r).href);
});

test('type labels come from strings.yaml and cover the four kinds', () => {
  const used = new Set(db.pages.map((p) => db.types[p.type]));
  for (const label of ['Nghị quyết', 'Mục tiêu', 'Hướng dẫn', 'Hỏi đáp']) assert.ok(used.has(label), label);
  assert.equal(db.types[db.pages.find((p) => p.href === 'nghi-quyet/muc-tieu/tfp-2030/').type], 'Mục tiêu');
  assert.equal(db.types[db.pages.find((p) => p.href === 'huong-dan/tinh-uy/').type], 'Hướng dẫn');
  assert.equal(db.types[db.pages.find((p) => p.href === 'hoi-dap/phan-3/cau-74/').type], 'Hỏi đáp');
});

test('empty and punctuation-only queries find nothing; unknown words too', () => {
  for (const q of ['', ' …, ! ', 'xyzzyqwv']) assert.equal(api.search(db, q).length, 0, q);
});

test('doi moi ranks a page with đổi mới above one full of dời (hand-made index)', () => {
  // Vocabulary ids: đổi 0, mới 1, dời 2, đi 3; no titles (body starts at 1).
  const mini = api.load({
    vocab: 'đổi mới dời đi', types: ['x'], t: {},
    // A: "mới đi dời dời dời" (dời is the commoner spelling); B: "đi đi đổi mới đi".
    pages: [['A', 'a/', 0, 1, 5, '', '1 3 2 2 2'], ['B', 'b/', 0, 1, 5, '', '3 3 0 1 3']],
  });
  const r = api.search(mini, 'doi moi');
  assert.equal(mini.pages[r[0].page].href, 'b/');
  assert.equal(mini.pages[api.search(mini, 'dời')[0].page].href, 'a/');
});
