// Accessibility: zero axe-core violations (WCAG 2.0/2.1 A and AA) on every
// page type, in light and dark colour schemes, at phone size.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildSite, axePages, PAGE_TYPES } from './lib.mjs';

test('no axe violations on any page type, light and dark', async () => {
  assert.deepEqual(await axePages(buildSite(), PAGE_TYPES), []);
});
