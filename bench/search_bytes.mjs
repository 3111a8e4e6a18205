// What a search costs a reader on a large site, nqsite against Pagefind:
// the bytes a first query and each later query transfer, and the time until
// the results show, in headless Chromium with the CPU slowed down as on a
// phone (CDP Emulation.setCPUThrottlingRate).
//
//   (cd bench/search && npm ci)      # Pagefind, once
//   node bench/search_bytes.mjs [--sizes 1000 10000] [--throttle 4] [--runs 3]
//
// For each size, ../shared/bench/gen_corpus.py (or $NQSITE_GEN) writes a
// corpus into bench/work/c<size>/ (kept between runs); nqsite builds its
// plain/ layout; Pagefind's Node API indexes the same pages of that build
// (rooted at <main>). A local server gzips text at level 6, as portals do
// (Pagefind's files are compressed already). Bytes are what the network
// received (bodies as transferred, headers included) from the moment the
// search box is used: the first query pays for the search's own scripts.
// Pagefind runs with `noWorker` (on the main thread, like nqsite's search)
// so that the CPU throttling, which slows the main thread, applies to it.
// Times, from a question page (s001/q00001/), on 127.0.0.1 (the network adds
// bytes, not waiting): from the query to the ten first results with their
// texts and excerpts (nqsite: search(), docs(), excerpt() of search.js, the
// first query also loading the search; Pagefind: search() and data() of
// ten results); "again": the same query once more, its files loaded.
// (search.js keeps one index a page, so the results panel is not timed in
// the same page.) Medians of --runs fresh pages.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO, NQSITE, launch } from '../tests/browser/lib.mjs';
import { openSearch } from '../tests/browser/search-eval.mjs';
import { pagefindIndex, indexedPages, serve, meter, settle, pagefindQuery } from './search/lib.mjs';

const QUERIES = ['chuyển đổi số', 'nhân tài', 'đảng viên', 'an ninh mạng'];
/** The page the reader searches from: a question of the first section (the
    generated home page lists all pages: 1.5 MB at 10,000, not what a
    reader searches from). */
const PAGE = 's001/q00001/';

function args() {
  const a = process.argv.slice(2);
  const list = (flag, def) => {
    const i = a.indexOf(flag);
    if (i < 0) return def;
    const out = [];
    for (let j = i + 1; j < a.length && !a[j].startsWith('--'); j++) out.push(a[j]);
    return out;
  };
  return {
    sizes: list('--sizes', ['1000', '10000']).map(Number),
    throttle: Number(list('--throttle', ['4'])[0]),
    runs: Number(list('--runs', ['3'])[0]),
  };
}

function generator() {
  for (const cand of [resolve(REPO, '..', 'shared', 'bench', 'gen_corpus.py'), process.env.NQSITE_GEN || '']) {
    if (cand && existsSync(cand)) return cand;
  }
  throw new Error('gen_corpus.py not found: put shared/ beside the checkout or set NQSITE_GEN');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;

/** Builds corpus `size` with nqsite and indexes it with Pagefind; returns the folders. */
function prepare(size) {
  const work = join(REPO, 'bench', 'work');
  const corpus = join(work, `c${size}`);
  if (!existsSync(join(corpus, 'plain'))) {
    mkdirSync(work, { recursive: true });
    execFileSync('python3', [generator(), String(size), corpus, '--no-mdbook'], { stdio: 'ignore' });
  }
  const site = join(work, `c${size}-site`);
  let t = performance.now();
  execFileSync(NQSITE, ['build', '-q', '--root', join(corpus, 'plain'), '--output', site]);
  const build = performance.now() - t;
  return { site, build, pf: join(work, `c${size}-pagefind`) };
}

/** One fresh page at PAGE, CPU throttled, the queries run in turn with
    `ask(page, q)` (→ ms): the bytes each query's first run transfers, its
    time, and the time of the same query again. */
async function run(browser, url, throttle, ask) {
  const page = await browser.newPage();
  const m = await meter(page);
  await page.goto(url + PAGE);
  await settle(page);
  await m.take();
  await m.throttle(throttle);
  const out = [];
  for (const q of QUERIES) {
    const ms = await ask(page, q);
    await settle(page, 100);
    const got = await m.take();
    const again = await ask(page, q);
    out.push({ q, ms, again, bytes: got.bytes, files: got.files.length });
  }
  await page.close();
  return out;
}

/** nqsite: through search.js's API, as its results panel runs a query. */
const nqsiteRun = (browser, url, throttle) => run(browser, url, throttle, nqsiteQuery);

/** Pagefind: its search() and the data of its ten first results. */
const pagefindRun = (browser, url, throttle) =>
  run(browser, url, throttle, async (page, q) => (await pagefindQuery(page, q)).ms);

/** A query through search.js's API, as its results panel runs it: the
    ranking, the texts of the ten first results, their excerpts. The first
    one starts the search as using the box does (manifest, meta, search.js). */
function nqsiteQuery(page, q) {
  return page.evaluate((q) => new Promise((done) => {
    const t0 = performance.now();
    const go = () => {
      const api = window.nqSearch;
      const root = new URL(document.documentElement.getAttribute('data-root') || '/', location.href);
      window.benchDb = window.benchDb || api.open(window.nqSearchMeta, (path, loaded) => {
        const s = document.createElement('script');
        s.src = new URL(path, root).href;
        s.onload = s.onerror = () => loaded();
        document.head.appendChild(s);
      });
      const db = window.benchDb;
      api.search(db, q, (found) => {
        const ids = found.results.slice(0, 10).map((r) => r.page);
        api.docs(db, ids, () => {
          const mark = api.marker(db, found.query);
          for (const p of ids) { api.excerpt(db.docs[p][0], mark, 400); api.excerpt(db.docs[p][2], mark); }
          done(performance.now() - t0);
        });
      });
    };
    if (window.nqSearch) return go();
    // What search-boot.js starts on (focus() does nothing in a page without focus).
    document.querySelector('form[data-search] input[name="q"]').dispatchEvent(new Event('pointerdown'));
    const wait = setInterval(() => { if (window.nqSearch && window.nqSearchMeta) { clearInterval(wait); go(); } }, 5);
  }), q);
}

/** Medians over runs, query by query. */
function medians(runs) {
  return runs[0].map((r, i) => ({
    q: r.q,
    ms: median(runs.map((x) => x[i].ms)),
    again: median(runs.map((x) => x[i].again)),
    bytes: median(runs.map((x) => x[i].bytes)),
    files: median(runs.map((x) => x[i].files)),
  }));
}

const opts = args();
console.log(`CPU throttling ${opts.throttle}×, medians of ${opts.runs} runs; bytes gzip as transferred (headers included)`);
for (const size of opts.sizes) {
  const { site, build, pf } = prepare(size);
  let t = performance.now();
  const pages = indexedPages(openSearch(site));
  await pagefindIndex(site, pf, pages);
  const pfBuild = performance.now() - t;
  console.log(`\n${size} pages (${pages.length} indexed): nqsite build ${(build / 1000).toFixed(1)} s (whole site); Pagefind index ${(pfBuild / 1000).toFixed(1)} s`);
  const server = await serve(site, pf);
  const browser = await launch();
  try {
    const runs = { nqsite: [], Pagefind: [] };
    for (let r = 0; r < opts.runs; r++) {
      runs.nqsite.push(await nqsiteRun(browser, server.url, opts.throttle));
      runs.Pagefind.push(await pagefindRun(browser, server.url, opts.throttle));
    }
    console.log('| query | nqsite bytes | nqsite time | again | Pagefind bytes | Pagefind time | again |');
    console.log('|---|---|---|---|---|---|---|');
    const a = medians(runs.nqsite), b = medians(runs.Pagefind);
    a.forEach((x, i) => {
      const y = b[i];
      const label = i === 0 ? `${x.q} (first)` : x.q;
      console.log(`| ${label} | ${kb(x.bytes)} (${x.files} files) | ${x.ms.toFixed(0)} ms | ${x.again.toFixed(0)} ms | ${kb(y.bytes)} (${y.files} files) | ${y.ms.toFixed(0)} ms | ${y.again.toFixed(0)} ms |`);
    });
  } finally {
    await browser.close();
    await server.close();
  }
}
