// Translations: one dictionary per language in /i18n/<locale>.json. A key that is missing
// renders as ⟦key⟧ so it cannot hide (the browser tests scan every page for that mark).
// The language comes from the browser, can be switched, and is remembered per user.

export const LOCALES = ['zh-CN', 'en'];
const STORE_KEY = 'presswork.locale';
let dict = {};
let current = 'zh-CN';

export function locale() {
  return current;
}

export function isZh() {
  return current === 'zh-CN';
}

export function fromBrowser() {
  for (const l of navigator.languages || [navigator.language || '']) {
    const low = String(l).toLowerCase();
    if (low.startsWith('zh')) return 'zh-CN';
    if (low.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** The remembered language of `username` (or of this device), else the browser's. */
export function preferred(username) {
  const saved = (username && localStorage.getItem(`${STORE_KEY}.${username}`))
    || localStorage.getItem(STORE_KEY);
  return LOCALES.includes(saved) ? saved : fromBrowser();
}

export function remember(loc, username) {
  localStorage.setItem(STORE_KEY, loc);
  if (username) localStorage.setItem(`${STORE_KEY}.${username}`, loc);
}

export async function load(loc) {
  if (!LOCALES.includes(loc)) loc = 'zh-CN';
  const res = await fetch(`/i18n/${loc}.json`, { cache: 'no-cache' });
  if (!res.ok) throw new Error(`no translations for ${loc}`);
  dict = await res.json();
  current = loc;
  document.documentElement.lang = loc;
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(dict, key);
}

/** t('pool.claimed', {n: 3}) — `{name}` placeholders are filled from `params`. */
export function t(key, params) {
  const text = dict[key];
  if (typeof text !== 'string') return `⟦${key}⟧`;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, k) => (params[k] == null ? m : String(params[k])));
}

/** The translation of `key` when it exists, else `fallback` (for open-ended codes from the server). */
export function tOr(key, fallback, params) {
  return has(key) ? t(key, params) : fallback;
}

/** The name of a process or department (objects with name_zh / name_en) in this language. */
export function nameOf(obj, prefix = 'name') {
  if (!obj) return '';
  const zh = obj[`${prefix}_zh`];
  const en = obj[`${prefix}_en`];
  return (isZh() ? zh || en : en || zh) || obj.code || '';
}

export function number(n) {
  return new Intl.NumberFormat(current).format(n || 0);
}

export function dateTime(ms) {
  if (!ms) return '';
  return new Intl.DateTimeFormat(current, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(ms));
}

export function shortDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(current, { month: 'short', day: 'numeric' }).format(new Date(y, m - 1, d));
}

export function money(v) {
  if (v == null) return '';
  return new Intl.NumberFormat(current, { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(v);
}
