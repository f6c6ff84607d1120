// Locale formatting, diacritic folding and the two string tables, checked without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vi from '../i18n/vi.js';
import en from '../i18n/en.js';
import { foldText } from '../js/text.js';

// i18n.js touches `document` only when the language changes; give it the little it needs.
globalThis.document = { documentElement: { lang: 'vi' } };
const i18n = await import('../js/i18n.js');

test('both string tables have the same keys and no empty strings', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(vi).sort());
  for (const [key, value] of [...Object.entries(vi), ...Object.entries(en)]) assert.ok(value.length > 0, key);
});

test('both tables use the same placeholders for each key', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(vi)) assert.deepEqual(names(en[key]), names(vi[key]), key);
});

test('Vietnamese strings carry their diacritics', () => {
  assert.equal(vi['nav.citizen'], 'Người dân');
  assert.equal(vi['mode.motorbike'], 'Xe máy');
  assert.match(vi['citizen.title'], /điểm tiếp nhận hồ sơ/);
});

test('numbers are grouped per locale', () => {
  i18n.setLang('vi');
  assert.equal(i18n.fmtInt(1234567), '1.234.567');
  assert.equal(i18n.fmtMinutes(17 * 60), '17 phút');
  assert.equal(i18n.fmtDistance(3940), '3,9 km');
  assert.equal(i18n.fmtDistance(420), '420 m');
  assert.match(i18n.fmtShare(0.973), /^97,3\s?%$/);
  i18n.setLang('en');
  assert.equal(i18n.fmtInt(1234567), '1,234,567');
  assert.equal(i18n.fmtMinutes(17 * 60), '17 min');
  assert.equal(i18n.fmtDistance(3940), '3.9 km');
  assert.equal(i18n.fmtShare(0.973), '97.3%');
  assert.equal(i18n.fmtSignedInt(-1200), '-1,200');
  assert.equal(i18n.fmtSignedInt(1200), '+1,200');
  i18n.setLang('vi');
});

test('placeholders are filled and missing values stay visible', () => {
  i18n.setLang('en');
  assert.equal(i18n.t('planner.saved', { v: 4 }), 'Saved (version 4).');
  assert.equal(i18n.t('planner.saved'), 'Saved (version {v}).');
  assert.equal(i18n.t('no.such.key'), 'no.such.key');
  i18n.setLang('vi');
});

test('search text ignores Vietnamese diacritics and case', () => {
  assert.equal(foldText('Cầu Giấy'), 'cau giay');
  assert.equal(foldText('ĐỐNG ĐA'), 'dong da');
  assert.equal(foldText('Phường Hoàn Kiếm'), 'phuong hoan kiem');
  assert.ok(foldText('Phường Nghĩa Đô').includes(foldText('nghia do')));
});
