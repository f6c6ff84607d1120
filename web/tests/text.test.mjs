// The web's diacritic folding agrees with the server's `fold_vietnamese`, checked without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldText } from '../js/text.js';

test('folding matches the server: tone and vowel marks, đ, case', () => {
  // The server's own cases (src/scenario/search.rs, folds_diacritics_and_case).
  assert.equal(foldText('Cầu Giấy'), 'cau giay');
  assert.equal(foldText('ĐỐNG ĐA'), 'dong da');
  assert.equal(foldText('Phường Hồng Hà'), 'phuong hong ha');
  assert.equal(foldText('Tây Hồ'), 'tay ho');
  // Every vowel with each of its marks.
  assert.equal(foldText('àáảãạăằắẳẵặâầấẩẫậ èéẻẽẹêềếểễệ ìíỉĩị òóỏõọôồốổỗộơờớởỡợ ùúủũụưừứửữự ỳýỷỹỵ đ'), 'aaaaaaaaaaaaaaaaa eeeeeeeeeee iiiii ooooooooooooooooo uuuuuuuuuuu yyyyy d');
});

test('a former district is found without its diacritics', () => {
  assert.equal(foldText('Quận Đống Đa'), 'quan dong da');
  assert.ok(foldText('Quận Đống Đa').includes(foldText('quan dong da')));
  assert.ok(foldText('Huyện Gia Lâm').includes(foldText('GIA LAM')));
});

test('decomposed input and extra spaces fold the same as composed text', () => {
  assert.equal(foldText('Quận Đống Đa'.normalize('NFD')), 'quan dong da');
  assert.equal(foldText('  quan   dong\tda '), 'quan dong da');
  // Only combining marks go: other signs stay, as on the server.
  assert.equal(foldText('Ngõ 1^2'), 'ngo 1^2');
  assert.equal(foldText(null), '');
});
