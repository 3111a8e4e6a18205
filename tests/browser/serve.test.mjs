// `nqsite serve` in a real browser: the live-reload event stream, the
// stylesheet swap without a reload, the error overlay and the reload once
// the error is fixed; a page whose name resolves to the preview's address
// (DNS rebinding) cannot read it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO, NQSITE, launch } from './lib.mjs';

/** Starts `nqsite serve --port 0` on `root`; resolves to { url, stop }. */
function serve(root) {
  const child = spawn(NQSITE, ['serve', '--port', '0', '--root', root, '--output', join(root, 'served')],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const url = line.split(/\s+/).find((w) => w.startsWith('http://'));
      if (!url) fail(new Error(`no URL in ${line}`));
      ok({ url, stop: () => child.kill() });
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}`)));
  });
}

test('serve reloads, swaps the stylesheet and shows build errors in the page', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nqsite-serve-'));
  cpSync(join(REPO, 'tests', 'fixtures', 'basic'), root, { recursive: true });
  cpSync(join(REPO, 'themes', 'default'), join(root, 'themes', 'default'), { recursive: true });
  const server = await serve(root);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const events = page.waitForResponse((r) => r.url().endsWith('/__nqsite/events'));
    await page.goto(server.url + 'gioi-thieu/');
    assert.equal((await events).status(), 200, 'the page opened the event stream');
    await page.evaluate(() => { window.sameLoad = true; });
    const href = () => page.$eval('link[rel="stylesheet"]', (l) => l.getAttribute('href'));
    const before = await href();

    appendFileSync(join(root, 'themes', 'default', 'static', 'style.css'), '\nbody { outline: 0; }\n');
    await page.waitForFunction((old) => document.querySelector('link[rel="stylesheet"]').getAttribute('href') !== old,
      before, { timeout: 20000 });
    assert.ok(await page.evaluate(() => window.sameLoad), 'a stylesheet change swaps it without a reload');

    const file = join(root, 'content', 'gioi-thieu.md');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, '---\ntitle: "Giới thiệu"\nweight: "abc"\n---\nBản lỗi.\n');
    await page.waitForSelector('#nqsite-overlay', { timeout: 20000 });
    const overlay = await page.textContent('#nqsite-overlay');
    assert.match(overlay, /content\/gioi-thieu\.md:3/);
    assert.match(overlay, /weight: "abc"/, 'the overlay shows the source line');

    writeFileSync(file, good.replace(/\n---\n/, '\n---\nĐÃ SỬA LẠI.\n'));
    await page.waitForFunction(() => !window.sameLoad && document.body.textContent.includes('ĐÃ SỬA LẠI.'),
      null, { timeout: 20000 });
    assert.equal(await page.$('#nqsite-overlay'), null, 'the overlay is gone after a good build');
  } finally {
    await browser.close();
    server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a page of another name resolved to the preview (DNS rebinding) cannot read it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nqsite-serve-'));
  cpSync(join(REPO, 'tests', 'fixtures', 'basic'), root, { recursive: true });
  const server = await serve(root);
  const port = new URL(server.url).port;
  const browser = await launch(['--host-resolver-rules=MAP evil.example 127.0.0.1']);
  try {
    const page = await browser.newPage();
    assert.equal((await page.goto(server.url)).status(), 200);
    for (const path of ['', '__nqsite/status', 'gioi-thieu/']) {
      const res = await page.goto(`http://evil.example:${port}/${path}`);
      assert.equal(res.status(), 403, path);
      const body = await res.text();
      assert.match(body, /không được phép/);
      assert.doesNotMatch(body, /version|Giới thiệu/);
    }
  } finally {
    await browser.close();
    server.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
