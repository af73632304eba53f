// The message catalogs: zh-CN by default, English on request, the choice kept in localStorage
// (not on a kiosk: there the next person is a stranger, so initI18n({ remember: false })).
// Elements carry data-i18n="key" (and data-i18n-vars for {placeholders}); switching the
// language re-translates every one of them, so nothing has to be drawn again.
export const LANGUAGES = ["zh-CN", "en"];
export const DEFAULT_LANGUAGE = "zh-CN";
const STORAGE_KEY = "fayuan.language";
const catalogs = new Map();
let current = DEFAULT_LANGUAGE;
let remember = true;

export function language() {
  return current;
}

function stored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(value) ? value : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

async function load(lang) {
  if (!catalogs.has(lang)) {
    const response = await fetch(`/static/i18n/${lang}.json`, { cache: "no-cache" });
    if (!response.ok) throw new Error(`catalog ${lang}: HTTP ${response.status}`);
    catalogs.set(lang, await response.json());
  }
  return catalogs.get(lang);
}

/** The message for key in the current language, {name} filled from vars; the key if missing. */
export function t(key, vars = {}) {
  const text = catalogs.get(current)?.[key] ?? catalogs.get(DEFAULT_LANGUAGE)?.[key];
  if (text === undefined) {
    console.warn(`i18n: no message for ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * The key of a count's message: key.one, key.few… as the current language's plural rules
 * (Intl.PluralRules) say, falling back to key.other. English has one/other, Chinese only other;
 * both catalogs carry the same keys.
 */
function pluralKey(key, count) {
  const form = `${key}.${new Intl.PluralRules(current).select(count)}`;
  return has(form) ? form : `${key}.other`;
}

/**
 * Like translate, for a number of things: translateCount(el, "meetings.count", 3) shows
 * meetings.count.other with {count} = 3, and follows both the language and the plural form.
 */
export function translateCount(el, key, count, vars = {}) {
  el.setAttribute("data-i18n", key);
  el.setAttribute("data-i18n-vars", JSON.stringify({ ...vars, count }));
  el.setAttribute("data-i18n-plural", "");
  render(el, null);
}

export function has(key) {
  return catalogs.get(current)?.[key] !== undefined;
}

/** Give el a catalog key (for its text, or for one attribute) and translate it now. */
export function translate(el, key, vars, attribute = null) {
  const prefix = attribute ? `data-i18n-${attribute}` : "data-i18n";
  if (!attribute) el.removeAttribute("data-i18n-plural");
  el.setAttribute(prefix, key);
  if (vars) el.setAttribute(`${prefix}-vars`, JSON.stringify(vars));
  else el.removeAttribute(`${prefix}-vars`);
  render(el, attribute);
}

const ATTRIBUTES = ["aria-label", "title"];

function render(el, attribute) {
  const prefix = attribute ? `data-i18n-${attribute}` : "data-i18n";
  const vars = JSON.parse(el.getAttribute(`${prefix}-vars`) || "{}");
  const key = el.getAttribute(prefix);
  const text = t(!attribute && el.hasAttribute("data-i18n-plural") ? pluralKey(key, vars.count) : key, vars);
  if (attribute) el.setAttribute(attribute, text);
  else el.textContent = text;
}

/** Translate every marked element under root, and format every data-i18n-date. */
export function applyI18n(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => render(el, null));
  for (const attribute of ATTRIBUTES) {
    root.querySelectorAll(`[data-i18n-${attribute}]`).forEach((el) => render(el, attribute));
  }
  root.querySelectorAll("[data-i18n-date]").forEach((el) => {
    el.textContent = formatDateTime(el.getAttribute("data-i18n-date"));
  });
}

/** An instant as China time, in the words of the current language. */
export function formatDateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  }).format(new Date(iso));
}

export async function setLanguage(lang) {
  await load(lang);
  current = lang;
  try {
    if (remember) localStorage.setItem(STORAGE_KEY, lang);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // private mode: the choice lasts until the page is closed
  }
  document.documentElement.lang = lang;
  // The switch names the other language in that language, so it is marked with that lang.
  const other = lang === "en" ? "zh-CN" : "en";
  document.querySelectorAll("[data-language-switch]").forEach((button) => { button.lang = other; });
  applyI18n(document);
  document.dispatchEvent(new CustomEvent("fayuan:language", { detail: { lang } }));
}

/**
 * Load the stored language (remember: false, as on a kiosk: always the default, nothing kept),
 * translate the page and wire every [data-language-switch] button.
 */
export async function initI18n({ remember: keep = true } = {}) {
  remember = keep;
  await load(DEFAULT_LANGUAGE);
  await setLanguage(remember ? stored() : DEFAULT_LANGUAGE);
  document.querySelectorAll("[data-language-switch]").forEach((button) => {
    button.addEventListener("click", () => setLanguage(current === "en" ? "zh-CN" : "en"));
  });
}
