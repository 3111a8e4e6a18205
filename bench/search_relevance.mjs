// Relevance of nqsite's search and of Pagefind on the judged query set
// (tests/search/judged.yaml), on the shipped site: MRR@10, nDCG@5 and
// recall@10, overall and per kind of query, side by side.
//
//   (cd bench/search && npm ci)      # Pagefind, once
//   node bench/search_relevance.mjs [--verbose]
//
// nqsite: the built site's search.js in Node (tests/browser/search-eval.mjs).
// Pagefind: the same pages of the built site (those nqsite's index holds)
// indexed with Pagefind's Node API (rooted at <main>, the page bodies),
// queried in headless Chromium with its own pagefind.js, its first ten
// results each time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, buildSite, launch } from '../tests/browser/lib.mjs';
import { openSearch, hrefs, judged, evaluate, table } from '../tests/browser/search-eval.mjs';
import { pagefindIndex, indexedPages, serve, pagefindQuery } from './search/lib.mjs';

const verbose = process.argv.includes('--verbose');
const work = join(REPO, 'bench', 'work');
mkdirSync(work, { recursive: true });
const site = buildSite();
const queries = judged();

console.log('nqsite');
const s = openSearch(site);
console.log(table(await evaluate(queries, (q) => hrefs(s, q, 10), { verbose })));

const pf = join(work, 'relevance-pagefind');
const pages = await pagefindIndex(site, pf, indexedPages(openSearch(site)));
const server = await serve(site, pf);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  console.log(`\nPagefind (${pages} pages indexed)`);
  const rank = async (q) => (await pagefindQuery(page, q, 10)).urls.map((u) => u.replace(/^\//, '').replace(/index\.html$/, ''));
  console.log(table(await evaluate(queries, rank, { verbose })));
} finally {
  await browser.close();
  await server.close();
}
