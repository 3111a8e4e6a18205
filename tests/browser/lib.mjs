// Shared helpers for the browser tests: build a site with the real nqsite
// binary, serve a folder on 127.0.0.1, and launch Debian's Chromium headless
// through playwright-core (never a downloaded browser).
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { cpSync, mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NQSITE = process.env.NQSITE_BIN || join(REPO, 'target', 'release', 'nqsite');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** One page of each type of the shipped site. */
export const PAGE_TYPES = {
  home: '',
  resolution: 'nghi-quyet/',
  viewpoint: 'nghi-quyet/quan-diem/quan-diem-1/',
  targets: 'nghi-quyet/muc-tieu/',
  target: 'nghi-quyet/muc-tieu/tfp-2030/',
  tasks: 'nghi-quyet/nhiem-vu/',
  task: 'nghi-quyet/nhiem-vu/nhiem-vu-3/',
  guidances: 'huong-dan/',
  guidance: 'huong-dan/quang-yen/',
  book: 'hoi-dap/',
  part: 'hoi-dap/phan-2/',
  question: 'hoi-dap/phan-2/cau-16/',
  speech: 'hoi-dap/phat-bieu/',
  preface: 'hoi-dap/loi-noi-dau/',
  matrix: 'ma-tran/',
  infographic: 'infographic/',
  infographicA3: 'infographic/a3/',
  embed: 'embed/tfp-2030/',
  search: 'tim-kiem/',
  notFound: 'khong-co-trang-nay/',
};

/** One page of each type of the second corpus (tests/fixtures/corpus2). */
export const CORPUS2_PAGE_TYPES = {
  home: '',
  resolution: 'nghi-quyet-mau/',
  targets: 'nghi-quyet-mau/muc-tieu/',
  target: 'nghi-quyet-mau/muc-tieu/thu-vien-xa-2027/',
  solutions: 'nghi-quyet-mau/giai-phap/',
  solution: 'nghi-quyet-mau/giai-phap/giai-phap-1/',
  indicators: 'chi-so/',
  indicator: 'chi-so/ty-le-xa-co-thu-vien/',
  guidance: 'van-ban/ke-hoach-tinh/',
  book: 'hoi-dap/',
  question: 'hoi-dap/cau-03/',
  print: 'hoi-dap/ban-in/',
  article: 'bai-viet/doc-sach-moi-ngay/',
  matrix: 'doi-chieu/',
  infographic: 'infographic/',
  infographicA3: 'infographic/a3/',
  embed: 'embed/tai-lieu-dia-chi-so-hoa/',
  search: 'tim-kiem/',
};

/** Builds a copy of the second corpus (a build writes its share-image cache in the site's folder). */
export function buildCorpus2() {
  const root = mkdtempSync(join(tmpdir(), 'nqsite-corpus2-'));
  cpSync(join(REPO, 'tests', 'fixtures', 'corpus2'), root, { recursive: true });
  return buildSite({ root });
}

/** Builds the site at `root` (default: the repository) into a new temp folder. */
export function buildSite({ root = REPO, args = [] } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'nqsite-browser-'));
  const r = spawnSync(NQSITE, ['build', '-q', '--root', root, '--output', join(out, 'site'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nqsite build failed:\n${r.stderr}`);
  return join(out, 'site');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.xml': 'application/xml', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv; charset=utf-8', '.pdf': 'application/pdf',
};

/**
 * Serves `dir` under `prefix` (e.g. '/nq57/') on 127.0.0.1. `headers` are
 * added to every response (e.g. a Content-Security-Policy). Returns
 * { url, close, requests } where `requests` lists every path asked for.
 */
export async function serveDir(dir, { prefix = '/', headers = {} } = {}) {
  const requests = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    if (!path.startsWith(prefix)) { res.writeHead(404); return res.end('not found'); }
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (!file.startsWith(dir)) { res.writeHead(403); return res.end(); }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': TYPES['.html'], ...headers });
      return res.end(existsSync(join(dir, '404.html')) ? readFileSync(join(dir, '404.html')) : 'not found');
    }
    // Serve like a well-configured portal: gzip for text, long caching for
    // the content-hashed assets, revalidation for HTML.
    const type = TYPES[extname(file)] || 'application/octet-stream';
    let body = readFileSync(file);
    const out = { 'content-type': type, ...headers };
    out['cache-control'] = path.startsWith(`${prefix}assets/`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    if (/text|json|xml|svg/.test(type) && /gzip/.test(req.headers['accept-encoding'] || '')) {
      body = gzipSync(body);
      out['content-encoding'] = 'gzip';
    }
    res.writeHead(200, out);
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, requests, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Chromium with the flags this machine needs (and `extra` ones). */
export async function launch(extra = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', ...extra],
  });
}

/** A phone-sized page (360×800, touch) in a new context. */
export async function phonePage(browser, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 800 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, ...opts });
  return ctx.newPage();
}

/**
 * Serves the built `site` and runs axe-core on each of `pages` ({ kind: path })
 * at phone size, in light and dark; returns one line per violation.
 */
export async function axePages(site, pages) {
  const server = await serveDir(site);
  const browser = await launch();
  const failures = [];
  try {
    for (const scheme of ['light', 'dark']) {
      const page = await phonePage(browser, { colorScheme: scheme });
      for (const [kind, path] of Object.entries(pages)) {
        const response = await page.goto(server.url + path);
        if (response.status() !== 200 && kind !== 'notFound') failures.push(`${scheme} ${kind}: HTTP ${response.status()}`);
        const violations = await axe(page);
        for (const v of violations) failures.push(`${scheme} ${kind}: ${v.id} (${v.impact}) ${v.nodes.join(' | ')}`);
      }
      await page.context().close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return failures;
}

/** The Nu HTML Checker's errors on every page of the built `site` (run with the machine's Java). */
export function vnuErrors(site) {
  const jar = join(REPO, 'tests', 'browser', 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
  const r = spawnSync('java', ['-jar', jar, '--errors-only', '--skip-non-html', site], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** Runs axe-core on the page with the WCAG 2.1 A/AA tags; returns the violations. */
export async function axe(page) {
  const source = readFileSync(join(REPO, 'tests', 'browser', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}
