// Locale formatting, diacritic folding and the two string tables, checked without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vi from '../i18n/vi.js';
import en from '../i18n/en.js';
import { foldText } from '../js/text.js';
import { describeHours } from '../js/hours.js';

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

test('opening hours read as days and times, in both languages', () => {
  assert.equal(describeHours('Mo-Fr 08:00-17:00; Sa 08:00-12:00'), 'Thứ Hai–Thứ Sáu 8:00–17:00; Thứ Bảy 8:00–12:00');
  assert.equal(describeHours('Mo-Fr 08:00-17:00; Sa 08:00-12:00', 'en'), 'Monday–Friday 8:00–17:00; Saturday 8:00–12:00');
  assert.equal(describeHours('Mo,We 07:30-11:30,13:30-17:00; PH off'), 'Thứ Hai, Thứ Tư 7:30–11:30, 13:30–17:00; ngày lễ: nghỉ');
  assert.equal(describeHours('24/7'), 'Cả ngày, mọi ngày (24/7)');
  // A form this reader does not know is shown as written, not guessed at.
  assert.equal(describeHours('Mo-Fr 08:00-17:00 "by appointment"'), 'Mo-Fr 08:00-17:00 "by appointment"');
  assert.equal(describeHours('sunrise-sunset'), 'sunrise-sunset');
  assert.equal(describeHours(''), '');
});

test('a later departure is the coming weekday at that time, written as the API reads it', async () => {
  const { momentLabel, nextMoment } = await import('../js/week.js');
  // Saturday 12 December 2026, 13:00 in Hanoi.
  const now = '2026-12-12T13:00';
  assert.equal(nextMoment(now, 'Mo', '07:53'), '2026-12-14T07:53');
  assert.equal(nextMoment(now, 'Sa', '14:00'), '2026-12-12T14:00', 'later the same day');
  assert.equal(nextMoment(now, 'Sa', '10:00'), '2026-12-19T10:00', 'earlier the same day: next week');
  assert.equal(nextMoment(now, 'Sa', '13:00'), '2026-12-12T13:00');
  assert.equal(nextMoment('2026-12-31T20:00', 'Th', '08:00'), '2027-01-07T08:00');
  assert.equal(nextMoment(now, 'Sa', '25:00'), null);
  i18n.setLang('vi');
  assert.equal(momentLabel('2026-12-14T07:53'), 'Thứ Hai 07:53');
  assert.equal(momentLabel('Sa 10:00'), 'Thứ Bảy 10:00');
  i18n.setLang('en');
  assert.equal(momentLabel('Mo 08:00'), 'Monday 08:00');
  i18n.setLang('vi');
});
