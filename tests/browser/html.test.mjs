// Valid HTML: the Nu HTML Checker (npm vnu-jar, run with the machine's Java)
// reports no error on any page of the shipped site.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSite, REPO } from './lib.mjs';

test('the Nu HTML Checker finds no error in any page', () => {
  const site = buildSite();
  const jar = join(REPO, 'tests', 'browser', 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
  const r = spawnSync('java', ['-jar', jar, '--errors-only', '--skip-non-html', site], { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'java runs');
  assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no validation error');
  assert.equal(r.status, 0);
});
