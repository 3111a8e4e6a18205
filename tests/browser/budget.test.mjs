// Page weight budget: every page's HTML plus the CSS it links is at most
// 30 KB gzip-compressed (images excluded), with no request to another origin
// and no render-blocking script.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSite } from './lib.mjs';

const BUDGET = 30 * 1024;

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? htmlFiles(p) : p.endsWith('.html') ? [p] : [];
  });
}

test('HTML + CSS of every page stays within 30 KB gzip, nothing external, no blocking script', (t) => {
  const site = buildSite();
  const over = [];
  let largest = 0;
  let largestName = '';
  for (const file of htmlFiles(site)) {
    const html = readFileSync(file, 'utf8');
    const css = [...html.matchAll(/<link rel="stylesheet" href="\/([^"]+)"/g)].map((m) => readFileSync(join(site, m[1])));
    const size = gzipSync(html, { level: 9 }).length + css.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);
    const name = relative(site, file);
    if (size > largest && !name.startsWith('hoi-dap/ban-in')) [largest, largestName] = [size, name];
    // The printable booklet of the whole book is meant to be one long page.
    if (size > BUDGET && !name.startsWith('hoi-dap/ban-in')) over.push(`${name}: ${size} B`);
    assert.doesNotMatch(html, /\s(?:src|href)="(?:https?:)?\/\/(?!127\.0\.0\.1)[^"]*\.(?:css|js|woff2?|ttf)"/, `${name} loads from another origin`);
    for (const m of html.matchAll(/<script\b[^>]*>/g)) {
      const tag = m[0];
      if (/type="application\/ld\+json"/.test(tag)) continue;
      assert.match(tag, /\s(defer|async|type="module")/, `${name}: render-blocking ${tag}`);
    }
  }
  t.diagnostic(`largest page but the booklet: ${largestName}, ${(largest / 1024).toFixed(1)} KB gzip`);
  assert.deepEqual(over, []);
  assert.ok(largest > 1000);
});
