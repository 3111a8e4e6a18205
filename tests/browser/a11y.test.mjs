// Accessibility: zero axe-core violations (WCAG 2.0/2.1 A and AA) on every
// page type, in light and dark colour schemes, at phone size.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildSite, axePages } from './lib.mjs';

const PAGES = {
  home: '',
  resolution: 'nghi-quyet/',
  viewpoint: 'nghi-quyet/quan-diem/quan-diem-1/',
  targets: 'nghi-quyet/muc-tieu/',
  target: 'nghi-quyet/muc-tieu/tfp-2030/',
  tasks: 'nghi-quyet/nhiem-vu/',
  task: 'nghi-quyet/nhiem-vu/nhiem-vu-3/',
  guidance: 'huong-dan/quang-yen/',
  book: 'hoi-dap/',
  part: 'hoi-dap/phan-2/',
  question: 'hoi-dap/phan-2/cau-16/',
  speech: 'hoi-dap/phat-bieu/',
  matrix: 'ma-tran/',
  infographic: 'infographic/',
  embed: 'embed/tfp-2030/',
  notFound: 'khong-co-trang-nay/',
};

test('no axe violations on any page type, light and dark', async () => {
  assert.deepEqual(await axePages(buildSite(), PAGES), []);
});
