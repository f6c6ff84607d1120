// UI language and locale-aware formatting. Vietnamese is the default; the choice is kept in
// localStorage so a returning visitor sees the language they picked.
import vi from '../i18n/vi.js';
import en from '../i18n/en.js';

const TABLES = { vi, en };
const NUMBER_LOCALES = { vi: 'vi-VN', en: 'en-US' };
const STORAGE_KEY = 'motcua.lang';

let lang = readStoredLang();

function readStoredLang() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && stored in TABLES) return stored;
  } catch {
    // Storage can be disabled (private mode); fall back to the default.
  }
  return 'vi';
}

export function currentLang() {
  return lang;
}

export function setLang(next) {
  if (!(next in TABLES)) return;
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, but still switched for this page.
  }
  document.documentElement.lang = next;
}

/** Translate `key`, filling `{name}` placeholders from `params`. A missing key shows itself. */
export function t(key, params = {}) {
  const template = TABLES[lang][key] ?? TABLES.vi[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

function numberFormat(options) {
  return new Intl.NumberFormat(NUMBER_LOCALES[lang], options);
}

/** Whole number with locale grouping: vi 1.234.567, en 1,234,567. */
export function fmtInt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return t('common.none');
  return numberFormat({ maximumFractionDigits: 0 }).format(Math.round(n));
}

/** A number with up to `digits` decimals (for rule values such as 2.5 km). */
export function fmtDecimal(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return t('common.none');
  return numberFormat({ maximumFractionDigits: digits }).format(n);
}

/** A 0..1 share as a percentage with one decimal. */
/**
 * A share as a percentage, rounded down to 0.1 % as the library's `percent_floor` does: never
 * "100 %" while anyone is outside, never "0 %" while anyone is inside.
 */
export function fmtShare(share) {
  if (share === null || share === undefined || Number.isNaN(share)) return t('common.none');
  let floored = Math.floor(share * 1000 + 1e-9) / 1000;
  if (share < 1 && floored >= 1) floored = 0.999;
  if (share > 0 && floored <= 0) floored = 0.001;
  return numberFormat({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(floored);
}

/** Seconds shown as whole minutes (at least 1 when positive). */
export function fmtMinutes(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return t('common.none');
  const minutes = seconds > 0 ? Math.max(1, Math.round(seconds / 60)) : 0;
  return t('unit.min', { n: fmtInt(minutes) });
}

/** Metres shown as m below 1 km and as km with one decimal above. */
export function fmtDistance(metres) {
  if (metres === null || metres === undefined || Number.isNaN(metres)) return t('common.none');
  if (metres < 1000) return t('unit.m', { n: fmtInt(Math.round(metres / 10) * 10) });
  return t('unit.km', { n: numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(metres / 1000) });
}

/** Signed whole number, for differences. */
export function fmtSignedInt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return t('common.none');
  return numberFormat({ maximumFractionDigits: 0, signDisplay: 'exceptZero' }).format(Math.round(n));
}

/** Signed minutes with one decimal, for a change of travel time given in seconds. */
export function fmtSignedMinutes(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return t('common.none');
  return t('unit.min', { n: numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(seconds / 60) });
}

/** Signed percentage points (share difference), one decimal. */
export function fmtSignedShare(d) {
  if (d === null || d === undefined || Number.isNaN(d)) return t('common.none');
  return numberFormat({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(d);
}

export function fmtDate(date) {
  return new Intl.DateTimeFormat(NUMBER_LOCALES[lang], { dateStyle: 'long' }).format(date);
}

/** Fill every `[data-i18n]` element under `root` with its translated text. */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}
