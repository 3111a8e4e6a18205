// Relevance of the search on a judged query set: MRR, nDCG@5 and recall@10,
// overall and per kind of query, with the very search.js the browser runs
// (loaded with the built index in a Node vm context; shards are read from
// disk as the browser would load them as scripts).
//
//   node tests/browser/search-eval.mjs [SITE_DIR] [--verbose]
//
// builds the shipped site when SITE_DIR is not given. The judged set is
// tests/search/judged.yaml: grades 3 (the answer) to 1 (a useful mention).
// MRR@10: 1 / rank of the first result graded 2 or 3 in the top 10 (0 when
// none); nDCG@5 with gains 2^grade - 1; recall@10: share of the pages
// graded 1 to 3 in the top 10.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import YAML from 'yaml';
import { REPO, buildSite } from './lib.mjs';

/** The judged queries: [{q, kind, rel: {href: grade}}]. */
export function judged(file = join(REPO, 'tests', 'search', 'judged.yaml')) {
  return YAML.parse(readFileSync(file, 'utf8'));
}

/** Opens the search of a built site in a vm context: {api, db, sandbox, loaded}. */
export function openSearch(site) {
  const sandbox = {};
  sandbox.self = sandbox;
  sandbox.window = sandbox;
  vm.createContext(sandbox);
  const run = (rel) => vm.runInContext(readFileSync(join(site, rel), 'utf8'), sandbox, { filename: rel });
  run('search/manifest.js');
  const scripts = sandbox.nqSearchScripts.split(' ');
  for (const rel of scripts) run(rel);
  const loaded = [];
  const api = sandbox.nqSearch;
  const db = api.open(sandbox.nqSearchMeta, (rel, done) => {
    loaded.push(rel);
    run(rel);
    done();
  });
  return { api, db, sandbox, scripts, loaded };
}

/** Runs a query; the loader is synchronous, so the answer is at once. */
export function query(s, q) {
  let out;
  s.api.search(s.db, q, (found) => { out = found; });
  return out;
}

/** The hrefs of a query's results, best first. */
export function hrefs(s, q, n = Infinity) {
  const found = query(s, q).results.slice(0, n);
  let docs;
  s.api.docs(s.db, found.map((r) => r.page), () => { docs = s.db.docs; });
  return found.map((r) => docs[r.page][1]);
}

/** MRR@10, nDCG@5 and recall@10 of one ranked list against grades. */
export function scores(ranked, rel) {
  const g = (h) => rel[h] || 0;
  const first = ranked.slice(0, 10).findIndex((h) => g(h) >= 2);
  const gain = (grades) => grades.slice(0, 5).reduce((s, x, i) => s + (2 ** x - 1) / Math.log2(i + 2), 0);
  const ideal = gain(Object.values(rel).sort((a, b) => b - a));
  const relevant = Object.keys(rel).filter((h) => rel[h] >= 1);
  const top = new Set(ranked.slice(0, 10));
  return {
    mrr: first < 0 ? 0 : 1 / (first + 1),
    ndcg: ideal ? gain(ranked.map(g)) / ideal : 0,
    recall: relevant.length ? relevant.filter((h) => top.has(h)).length / relevant.length : 1,
  };
}

/** Mean scores by kind ('all' first) of ranked lists from `rank(q)`. */
export async function evaluate(queries, rank, { verbose = false } = {}) {
  const by = new Map([['all', []]]);
  for (const j of queries) {
    const ranked = await rank(j.q);
    const s = scores(ranked, j.rel);
    by.get('all').push(s);
    if (!by.has(j.kind)) by.set(j.kind, []);
    by.get(j.kind).push(s);
    if (verbose) console.log(`${s.ndcg.toFixed(2)} ${s.mrr.toFixed(2)} ${s.recall.toFixed(2)}  ${j.q}  →  ${ranked.slice(0, 5).join(' ')}`);
  }
  const out = {};
  for (const [kind, list] of by) {
    const mean = (f) => list.reduce((a, x) => a + x[f], 0) / list.length;
    out[kind] = { n: list.length, mrr: mean('mrr'), ndcg: mean('ndcg'), recall: mean('recall') };
  }
  return out;
}

/** The figures as a table. */
export function table(figures) {
  const rows = Object.entries(figures).map(([k, f]) =>
    `${k.padEnd(13)} ${String(f.n).padStart(3)}  MRR@10 ${f.mrr.toFixed(2)}  nDCG@5 ${f.ndcg.toFixed(2)}  recall@10 ${f.recall.toFixed(2)}`);
  return rows.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const site = args.find((a) => !a.startsWith('--')) || buildSite();
  const s = openSearch(site);
  const figures = await evaluate(judged(), (q) => hrefs(s, q), { verbose: args.includes('--verbose') });
  console.log(table(figures));
}
