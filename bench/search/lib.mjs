// Helpers of the search benchmarks: Pagefind's index of a built site, a
// server for a site and that index, and queries run in Chromium through CDP
// (with the bytes each one transfers and, optionally, CPU throttling).
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { existsSync, readFileSync, statSync, rmSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import * as pagefind from './node_modules/pagefind/lib/index.js';

/**
 * Indexes the built site `site` with Pagefind into `out`, rooted at <main>
 * (the page bodies nqsite indexes too): the pages `hrefs` (site paths) when
 * given, the same pages nqsite's index holds, else every HTML file.
 */
export async function pagefindIndex(site, out, hrefs) {
  rmSync(out, { recursive: true, force: true });
  const { index, errors } = await pagefind.createIndex({ rootSelector: 'main' });
  if (errors.length) throw new Error(errors.join('\n'));
  let count = 0;
  if (hrefs) {
    for (const href of hrefs) {
      const content = readFileSync(join(site, href, 'index.html'), 'utf8');
      const added = await index.addHTMLFile({ url: `/${href}`, content });
      if (added.errors.length) throw new Error(added.errors.join('\n'));
      count++;
    }
  } else {
    const added = await index.addDirectory({ path: site });
    if (added.errors.length) throw new Error(added.errors.join('\n'));
    count = added.page_count;
  }
  const written = await index.writeFiles({ outputPath: out });
  if (written.errors.length) throw new Error(written.errors.join('\n'));
  await pagefind.close();
  return count;
}

/** The site paths of every page of nqsite's index of a built site. */
export function indexedPages(search) {
  const all = Array.from({ length: search.db.n }, (_, i) => i);
  search.api.docs(search.db, all, () => {});
  return all.map((i) => search.db.docs[i][1]);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm',
};

/**
 * Serves `site` at / and `pagefindDir` (if any) at /pagefind/ on 127.0.0.1,
 * gzipping text as a portal would (gzip level 6, what most servers use);
 * Pagefind's own files are compressed already.
 */
export async function serve(site, pagefindDir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [dir, rel] = pagefindDir && path.startsWith('/pagefind/') ? [pagefindDir, path.slice(10)] : [site, path.slice(1)];
    let file = normalize(join(dir, rel));
    if (!file.startsWith(dir)) { res.writeHead(403); return res.end(); }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404); return res.end('not found'); }
    const type = TYPES[extname(file)] || 'application/octet-stream';
    let body = readFileSync(file);
    const headers = { 'content-type': type, 'cache-control': 'no-cache' };
    if (/text|json/.test(type) && /gzip/.test(req.headers['accept-encoding'] || '')) {
      body = gzipSync(body, { level: 6 });
      headers['content-encoding'] = 'gzip';
    }
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Counts the bytes a page (and its workers) receive over the network:
    response bodies as transferred plus headers. */
export async function meter(page) {
  const cdp = await page.context().newCDPSession(page);
  let bytes = 0;
  const files = [];
  const pending = new Set();
  page.on('requestfinished', (r) => {
    const p = r.sizes().then((s) => {
      bytes += s.responseBodySize + s.responseHeadersSize;
      files.push(r.url());
    }).catch(() => {}).finally(() => pending.delete(p));
    pending.add(p);
  });
  return {
    /** Bytes (and files) received since the last call. */
    async take() {
      await Promise.all(pending);
      const out = { bytes, files: files.splice(0) };
      bytes = 0;
      return out;
    },
    /** Slows the page's main thread down `rate` times (1: off). */
    throttle: (rate) => cdp.send('Emulation.setCPUThrottlingRate', { rate }),
  };
}

/** Waits until the network is quiet (no request finished for `ms`). */
export async function settle(page, ms = 300) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(ms);
}

/**
 * Runs a Pagefind query in the page: its results' URLs (the first `n`,
 * whose data Pagefind loads as a results page would) and the time taken.
 */
export async function pagefindQuery(page, query, n = 10) {
  return page.evaluate(async ({ query, n }) => {
    const t0 = performance.now();
    if (!window.pf) {
      window.pf = await import('/pagefind/pagefind.js');
      // On the main thread, like nqsite's search, so CPU throttling slows it too.
      await window.pf.options({ noWorker: true });
    }
    const search = await window.pf.search(query);
    const data = await Promise.all(search.results.slice(0, n).map((r) => r.data()));
    return { ms: performance.now() - t0, count: search.results.length, urls: data.map((d) => d.url) };
  }, { query, n });
}
