// The language check, without a browser: every key is in both string tables, every key the code
// names exists, and text a person reads is not written into web/js as a bare literal (it goes
// through t() so that it comes in Vietnamese and English). `npm test` runs it with the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import vi from '../i18n/vi.js';
import en from '../i18n/en.js';

const WEB = fileURLToPath(new URL('..', import.meta.url));
/** Files that hold their own two-language tables instead of keys (day names in `hours.js`). */
const OWN_TABLES = new Set(['js/hours.js']);
/** A line ending in this comment is knowingly not translated (a proper name, a licence line). */
const ALLOW = '// i18n: not translated';

function jsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsFiles(path);
    return path.endsWith('.js') ? [path] : [];
  });
}

/** Each file's lines with comments blanked, so that prose in comments is not read as UI text. */
function sources() {
  return jsFiles(join(WEB, 'js')).map((path) => {
    const text = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
    const lines = text.split('\n').map((line) => (line.includes(ALLOW) ? '' : line.replace(/(^|\s)\/\/ .*$/, '')));
    return { file: relative(WEB, path), lines };
  });
}

/** True when `s` reads as words: two letters in a row, outside `${...}` substitutions. */
function wordy(s) {
  let text = s;
  for (let before = ''; before !== text; ) {
    before = text;
    text = text.replace(/\{[^{}]*\}/g, '');
  }
  // A substitution the match cut short (a template nested in a template) is code too.
  return /\p{L}{2,}/u.test(text.replace(/\$\{.*$/, '').replace(/\$/g, ''));
}

/**
 * Where a literal would reach the screen: assigned to `textContent`/`innerText`, given as
 * `placeholder`, `title`, `alt` or `aria-label`, passed to `toast`/`confirm`/`alert`, or as a
 * child of `h(tag, attrs, ...)` right after the attributes.
 */
const SHOWN = [
  /\b(?:textContent|innerText)\s*=\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
  /(?:\bplaceholder|\btitle|\balt|'aria-label')\s*:\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
  /\b(?:toast|confirm|alert)\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
  /\bh\(\s*'[\w-]+'\s*,\s*(?:\{[^{}]*\}|null)\s*,\s*(['"`])((?:\\.|(?!\1).)*)\1/g,
];

test('every key is in both languages', () => {
  const onlyVi = Object.keys(vi).filter((k) => !(k in en));
  const onlyEn = Object.keys(en).filter((k) => !(k in vi));
  assert.deepEqual(onlyVi, [], `keys in vi.js only: ${onlyVi.join(', ')}`);
  assert.deepEqual(onlyEn, [], `keys in en.js only: ${onlyEn.join(', ')}`);
});

test('every key the code names literally exists', () => {
  const missing = [];
  for (const { file, lines } of sources()) {
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/\bt\(\s*'([\w.-]+)'/g)) if (!(m[1] in vi) || !(m[1] in en)) missing.push(`${file}:${i + 1} ${m[1]}`);
      for (const m of line.matchAll(/data-i18n(?:-aria)?['"]?\s*[:=]\s*['"]([\w.-]+)['"]/g)) if (!(m[1] in vi)) missing.push(`${file}:${i + 1} ${m[1]}`);
    });
  }
  assert.deepEqual(missing, [], `keys used but not defined:\n${missing.join('\n')}`);
});

test('no text a person reads is a bare literal in web/js', () => {
  const bare = [];
  for (const { file, lines } of sources()) {
    if (OWN_TABLES.has(file)) continue;
    lines.forEach((line, i) => {
      for (const pattern of SHOWN) for (const m of line.matchAll(pattern)) if (wordy(m[2])) bare.push(`${file}:${i + 1} ${JSON.stringify(m[2])}`);
    });
  }
  assert.deepEqual(bare, [], `strings shown without t():\n${bare.join('\n')}`);
});

test('the check itself catches a bare literal and lets a key through', () => {
  const hits = (line) => SHOWN.some((p) => [...line.matchAll(p)].some((m) => wordy(m[2])));
  assert.ok(hits("status.textContent = 'Loading the map';"));
  assert.ok(hits("h('p', { class: 'hint' }, 'Drag the points');"));
  assert.ok(hits("toast(`Saved version ${v}`);"));
  assert.ok(hits("h('input', { placeholder: 'Tìm phường' })"));
  assert.ok(!hits("status.textContent = t('planner.loading');"));
  assert.ok(!hits("h('span', { class: 'dirty' }, '● ', t('planner.unsaved'));"));
  assert.ok(!hits("el.textContent = `${fmtInt(n)} / ${fmtInt(m)}`;"));
});
