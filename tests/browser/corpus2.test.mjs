// The second corpus (tests/fixtures/corpus2, a made-up resolution of another
// shape): its open data validates against the schemas made from its
// declaration, and its pages, of types the shipped site lacks, are valid HTML
// with no axe-core violation in light and dark.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { buildCorpus2 as build, axePages, vnuErrors, CORPUS2_PAGE_TYPES } from './lib.mjs';

test('corpus2: every open data file validates against its schema', () => {
  const site = build();
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const files = readdirSync(join(site, 'data')).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(files, ['cau-hoi.json', 'chi-so.json', 'muc-tieu.json']);
  for (const file of files) {
    const data = JSON.parse(readFileSync(join(site, 'data', file), 'utf8'));
    const schema = JSON.parse(readFileSync(join(site, 'data', data.$schema), 'utf8'));
    const validate = ajv.compile(schema);
    assert.ok(validate(data), `${file}: ${JSON.stringify(validate.errors, null, 1)}`);
  }
  const validate = ajv.getSchema('chi-so.schema.json');
  const data = () => JSON.parse(readFileSync(join(site, 'data', 'chi-so.json'), 'utf8'));
  const noUnit = data();
  delete noUnit['chi-so'][0].unit;
  assert.equal(validate(noUnit), false, 'a record without its unit is rejected');
  const badYear = data();
  badYear['chi-so'][0].target_year = 'năm 2027';
  assert.equal(validate(badYear), false, 'a year that is not a number is rejected');
});

test('corpus2: the Nu HTML Checker finds no error in any page', () => {
  const { status, output } = vnuErrors(build());
  assert.equal(output, '', 'no validation error');
  assert.equal(status, 0);
});

test('corpus2: no axe violations on any page type, light and dark', async () => {
  assert.deepEqual(await axePages(build(), CORPUS2_PAGE_TYPES), []);
});
