// Valid HTML: the Nu HTML Checker (npm vnu-jar, run with the machine's Java)
// reports no error on any page of the shipped site.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildSite, vnuErrors } from './lib.mjs';

test('the Nu HTML Checker finds no error in any page', () => {
  const { status, output } = vnuErrors(buildSite());
  assert.equal(output, '', 'no validation error');
  assert.equal(status, 0);
});
