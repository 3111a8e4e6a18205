// The search index of the shipped site, loaded in Node with the very ranking
// code the browser runs (the built assets/search.*.js; shards read as the
// browser loads them), answers the reference queries and the kinds of query
// readers type (abbreviations, questions, names, figures); the files a query
// loads stay within their size budgets.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSite } from './lib.mjs';
import { openSearch, query, hrefs as rankedHrefs } from './search-eval.mjs';

const site = buildSite();
const manifest = /data-search="([^"]*)"/.exec(readFileSync(join(site, 'index.html'), 'utf8'))[1];
const s = openSearch(site);
const { api, db } = s;

const gz = (rel) => gzipSync(readFileSync(join(site, rel)), { level: 9 }).length;
const hrefs = (q, n) => rankedHrefs(s, q, n);
/** The doc ([title, href, text]) of each of a query's first n results. */
function docs(q, n = 10) {
  const found = query(s, q);
  const ids = found.results.slice(0, n).map((r) => r.page);
  api.docs(db, ids, () => {});
  return { found, docs: ids.map((p) => db.docs[p]) };
}
const fulltext = (d) => `${d[0]} ${d[2]}`.toLowerCase();
/** The marked parts of a text's excerpt for a query. */
function marked(q, text) {
  const found = query(s, q);
  return Array.from(api.excerpt(text, api.marker(db, found.query)).filter((p) => p.mark), (p) => p.text);
}

test('the page loads the manifest, which names the meta script, then search.js', () => {
  assert.equal(manifest, 'search/manifest.js');
  assert.equal(s.scripts.length, 2);
  assert.match(s.scripts[0], /^search\/meta\.[0-9a-f]{12}\.js$/);
  assert.match(s.scripts[1], /^assets\/search\.[0-9a-f]{8}\.js$/);
  const files = readdirSync(join(site, 'search'));
  assert.ok(files.every((f) => f === 'manifest.js' || /^(meta|t|d)\.[0-9a-f]{12}(?:[0-9a-f]{4})?\.js$/.test(f)), files.join(' '));
  assert.equal(db.n, db.ddir.reduce((n, d, i) => n + (i + 1 < db.ddir.length ? db.ddir[i + 1].start - d.start : db.n - d.start), 0));
});

test('a first query loads a few shards and at most 110 KB gzip in all; search.js stays under 12 KB', (t) => {
  const fresh = openSearch(site);
  const found = query(fresh, 'chuyển đổi số');
  fresh.api.docs(fresh.db, found.results.slice(0, 10).map((r) => r.page), () => {});
  const start = ['search/manifest.js', ...fresh.scripts];
  const terms = fresh.loaded.filter((f) => f.startsWith('search/t.'));
  const texts = fresh.loaded.filter((f) => f.startsWith('search/d.'));
  const total = [...start, ...fresh.loaded].reduce((sum, rel) => sum + gz(rel), 0);
  const all = readdirSync(join(site, 'search')).filter((f) => f.startsWith('t.')).length;
  t.diagnostic(`first query: ${(total / 1024).toFixed(1)} KB gzip; ${terms.length} of ${all} term shards, ${texts.length} doc shards; search.js ${gz(fresh.scripts[1])} B`);
  console.log(`search first query (gzip): ${total} B in ${start.length + fresh.loaded.length} files`);
  assert.ok(terms.length > 0 && terms.length * 4 < all, `${terms.length} of ${all} term shards`);
  assert.ok(texts.length <= 10);
  assert.ok(total <= 110 * 1024, `${total} B`);
  assert.ok(gz(fresh.scripts[1]) <= 12 * 1024, `search.js ${gz(fresh.scripts[1])} B`);
});

test('tfp finds the TFP target first', () => {
  assert.equal(hrefs('tfp', 1)[0], 'nghi-quyet/muc-tieu/tfp-2030/');
  assert.deepEqual(hrefs('TFP', 3), hrefs('tfp', 3));
});

test('5g finds the 5G coverage target', () => {
  assert.equal(hrefs('5g', 1)[0], 'nghi-quyet/muc-tieu/phu-song-5g-2030/');
  assert.deepEqual(hrefs('5G', 5), hrefs('5g', 5));
});

test('chuyển đổi số gives the same top results with or without diacritics, in any case', () => {
  const exact = hrefs('chuyển đổi số', 5);
  assert.equal(exact.length, 5);
  assert.deepEqual(hrefs('CHUYỂN ĐỔI SỐ', 5), exact);
  assert.deepEqual(hrefs('Chuyển Đổi Số', 5), exact);
  const top10 = hrefs('chuyển đổi số', 10);
  for (const q of ['chuyen doi so', 'CHUYEN DOI SO', 'chuyen đổi so']) {
    const plain = hrefs(q, 5);
    assert.deepEqual(plain.slice(0, 3), exact.slice(0, 3), q);
    for (const h of plain) assert.ok(top10.includes(h), `${q}: ${h}`);
  }
});

test('chuyển đổi số ranks pages with the phrase above pages with the words apart', () => {
  const { found } = docs('chuyển đổi số', 0);
  const ids = found.results.map((r) => r.page);
  api.docs(db, ids, () => {});
  const hasPhrase = ids.map((p) => fulltext(db.docs[p]).includes('chuyển đổi số'));
  const lastPhrase = hasPhrase.lastIndexOf(true);
  const firstApart = hasPhrase.indexOf(false);
  assert.ok(firstApart > 10, `a page without the phrase ranks ${firstApart + 1}`);
  assert.ok(lastPhrase < firstApart, `phrase page at ${lastPhrase + 1} below one without at ${firstApart + 1}`);
});

test('dang finds pages about Đảng, with the original spelling highlighted', () => {
  for (const q of ['dang', 'Đảng', 'ĐẢNG']) {
    const top = docs(q, 5).docs;
    assert.equal(top.length, 5, q);
    for (const d of top) assert.match(fulltext(d), /đảng/, `${q}: ${d[1]}`);
  }
  const best = docs('dang', 20).docs.find((d) => /Đảng/.test(d[2]));
  assert.ok(marked('dang', best[2]).includes('Đảng'), marked('dang', best[2]).join(','));
});

test('thanh nien finds question 74 on the youth', () => {
  assert.ok(hrefs('thanh nien', 3).includes('hoi-dap/phan-3/cau-74/'), hrefs('thanh nien', 3).join(' '));
  assert.ok(hrefs('thanh niên', 3).includes('hoi-dap/phan-3/cau-74/'));
});

test('dau tu finds investment', () => {
  const top = docs('dau tu', 5).docs;
  assert.ok(top.length >= 5);
  assert.ok(fulltext(top[0]).includes('đầu tư'), top[0][1]);
});

test('doi moi ranks đổi mới, never a page for dời', () => {
  const top = docs('doi moi', 10).docs;
  assert.equal(top.length, 10);
  for (const d of top) assert.ok(fulltext(d).includes('đổi mới'), d[1]);
});

test('category labels are those site.yaml declares, each type under its own', () => {
  const used = new Set(Array.from(db.kinds, (k) => db.types[k]));
  for (const label of ['Nghị quyết', 'Mục tiêu', 'Hướng dẫn', 'Hỏi đáp']) assert.ok(used.has(label), label);
  const kindOf = (href) => {
    const r = Array.from(query(s, href.split('/').slice(-2, -1)[0].replace(/-/g, ' ')).results);
    api.docs(db, r.map((x) => x.page), () => {});
    return db.types[db.kinds[r.find((x) => db.docs[x.page][1] === href).page]];
  };
  assert.equal(kindOf('nghi-quyet/muc-tieu/tfp-2030/'), 'Mục tiêu');
  assert.equal(kindOf('huong-dan/tinh-uy/'), 'Hướng dẫn');
  assert.equal(kindOf('hoi-dap/phan-3/cau-74/'), 'Hỏi đáp');
});

test('empty and punctuation-only queries find nothing; unknown words too', () => {
  for (const q of ['', ' …, ! ', 'xyzzyqwv']) assert.equal(query(s, q).results.length, 0, q);
});

test('names: front-matter fields are searched (Bình Phước is a place and an issuer)', () => {
  for (const q of ['Bình Phước', 'binh phuoc', 'Mạc Đình Huấn']) assert.equal(hrefs(q, 1)[0], 'huong-dan/binh-phuoc/', q);
  // "bình" alone is in "trung bình": pages with both words come first.
  const top = hrefs('Bình Phước', 3);
  assert.ok(!top.slice(1).includes('huong-dan/binh-phuoc/'));
  assert.equal(hrefs('Tô Lâm', 3).includes('hoi-dap/phat-bieu/'), true, hrefs('Tô Lâm', 3).join(' '));
});

test('figures: a target is found by its figure and value', () => {
  assert.equal(hrefs('top 50 thế giới', 1)[0], 'nghi-quyet/muc-tieu/canh-tranh-so-the-gioi-2030/');
  assert.equal(hrefs('30% GDP', 1)[0], 'nghi-quyet/muc-tieu/kinh-te-so-2030/');
  assert.equal(hrefs('HDI 0,7', 1)[0], 'nghi-quyet/muc-tieu/hdi-2030/');
  assert.ok(hrefs('mạng 5G', 10).includes('nghi-quyet/muc-tieu/phu-song-5g-2030/'), hrefs('mạng 5G', 10).join(' '));
});

test('abbreviations: AI finds the AI target; synonyms work both ways', () => {
  assert.equal(hrefs('AI', 1)[0], 'nghi-quyet/muc-tieu/tri-tue-nhan-tao-2030/');
  assert.equal(hrefs('ai', 1)[0], 'nghi-quyet/muc-tieu/tri-tue-nhan-tao-2030/');
  assert.equal(hrefs('R&D', 1)[0], 'nghi-quyet/muc-tieu/rd-2030/');
  assert.equal(hrefs('KT-XH', 1)[0], 'hoi-dap/phan-2/cau-16/');
  // Question 69 writes only "AI": found for "trí tuệ nhân tạo".
  assert.ok(hrefs('trí tuệ nhân tạo').includes('hoi-dap/phan-3/cau-69/'));
  // "AI" in capitals is the abbreviation, not the pronoun "ai": every page
  // with the whole phrase (the first tier) says one or the other.
  const { found, docs: top } = docs('trí tuệ nhân tạo', 40);
  const phrase = top.filter((d, i) => found.results[i].tier === found.results[0].tier);
  assert.ok(phrase.length >= 10, phrase.length);
  for (const d of phrase) assert.ok(/trí tuệ nhân tạo/i.test(`${d[0]} ${d[2]}`) || /\bAI\b/.test(d[2]), d[1]);
});

test('questions: question words are weak, the rest need not all match', () => {
  assert.equal(hrefs('vì sao gọi là khoán 10', 1)[0], 'hoi-dap/phan-2/cau-35/');
  assert.equal(hrefs('khi nào phủ sóng 5G toàn quốc', 1)[0], 'nghi-quyet/muc-tieu/phu-song-5g-2030/');
  assert.equal(hrefs('thanh niên cần làm gì', 2).includes('hoi-dap/phan-3/cau-74/'), true);
  // The target lacks "chiếm": pages with every word come first, then it.
  assert.ok(hrefs('kinh tế số chiếm bao nhiêu phần trăm GDP', 10).includes('nghi-quyet/muc-tieu/kinh-te-so-2030/'));
  // "ai" is a question word in a question, not the abbreviation.
  const who = hrefs('ai chịu trách nhiệm triển khai', 3);
  assert.ok(!who.includes('nghi-quyet/muc-tieu/tri-tue-nhan-tao-2030/'), who.join(' '));
});

test('highlights mark phrases, not stray common words; excerpts hold the best phrase', () => {
  // "số" of "Nghị quyết số 57" is no part of "chuyển đổi số".
  assert.deepEqual(marked('chuyển đổi số', 'Nghị quyết số 57 về chuyển đổi số quốc gia'), ['chuyển đổi số']);
  assert.deepEqual(marked('khi nào phủ sóng 5G toàn quốc', 'Khi nào? Phủ sóng 5G toàn quốc.'), ['Phủ sóng 5G toàn quốc']);
  const q72 = docs('binh dan hoc vu so', 1).docs[0];
  assert.equal(q72[1], 'hoi-dap/phan-3/cau-72/');
  const parts = api.excerpt(q72[2], api.marker(db, query(s, 'binh dan hoc vu so').query));
  assert.ok(parts.some((p) => p.mark && p.text === 'Bình dân học vụ số'), JSON.stringify(parts));
  // A rare word alone is marked; the title is marked like the text.
  assert.deepEqual(marked('khoán', 'thường gọi là “Khoán 10”'), ['Khoán']);
});

test('a hand-made index: doi moi ranks đổi mới above a page full of dời', () => {
  // Postings code: a page gap then a value (weight in half units << 3), one letter each below 32.
  const code = (list) => list.map(([gap, half]) => `${gap}${(half * 8).toString(32)}`).join('');
  const mini = openSearchWith({
    n: 2, l: '55', k: '00', a: 5, b: 1.25, T: 2, types: ['x'], t: {}, s: [], w: [],
    x: 'doi/t0', d: '2/d0',
  }, {
    // A: "mới đi dời dời dời" (dời is the commoner spelling); B: "đi đi đổi mới đi".
    'search/t.t0.js': ['t', {
      'doi': `dời|${code([[0, 3]])}|đổi|${code([[1, 1]])}`,
      'doi moi': `đổi mới|${code([[1, 1]])}`,
      'moi': `mới|${code([[0, 1], [0, 1]])}`,
    }],
    'search/d.d0.js': ['d', 0, [['A', 'a/', 'mới đi dời dời dời'], ['B', 'b/', 'đi đi đổi mới đi']]],
  });
  const rank = (q) => { let r; mini.api.search(mini.db, q, (f) => { r = f.results; }); return r.map((x) => x.page); };
  assert.equal(rank('doi moi')[0], 1);
  assert.equal(rank('dời')[0], 0);
});

/** The search of a hand-made index: meta and shard data by path. */
function openSearchWith(meta, files) {
  const fresh = openSearch(site);
  const db2 = fresh.api.open(meta, (rel, done) => {
    const f = files[rel];
    fresh.api.add(...f);
    done();
  });
  return { api: fresh.api, db: db2 };
}
