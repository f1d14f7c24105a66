// What every page of the portal shares: labels in the chosen language, the layout around a page,
// calls to the public API, and problem messages. Pages build their DOM with el(); nothing here or
// in a page turns text into markup (the Content-Security-Policy enforces Trusted Types).
import zhCN from './i18n/zh-CN.js';
import en from './i18n/en.js';

export const LANGUAGES = { 'zh-CN': zhCN, en };
const LANGUAGE_KEY = 'flagapi.language';
const DEFAULT_LANGUAGE = 'zh-CN';

export const KINDS = ['phone', 'url', 'domain', 'app', 'account'];
export const CATEGORIES = [
  'task_brushing', 'loan_or_card', 'impersonating_authorities', 'investment_romance',
  'impersonating_acquaintance', 'fake_customer_service', 'fake_credit_repair', 'gambling',
  'remote_control_app', 'other',
];
// The platforms the API knows (FlagApi.Identifiers AccountPlatforms); it also reads their common
// Chinese names, such as 微信:wxid_abc.
export const ACCOUNT_PLATFORMS = [
  'wechat', 'qq', 'alipay', 'bank_card', 'weibo', 'douyin', 'kuaishou', 'taobao',
  'telegram', 'whatsapp', 'line', 'skype', 'paypal', 'usdt_trc20', 'usdt_erc20',
];

const listeners = [];
let current = readLanguage();

function readLanguage() {
  try {
    const stored = localStorage.getItem(LANGUAGE_KEY);
    if (stored && LANGUAGES[stored]) return stored;
  } catch { /* storage may be off; the default language still works */ }
  return DEFAULT_LANGUAGE;
}

export function language() {
  return current;
}

export function setLanguage(code) {
  if (!LANGUAGES[code] || code === current) return;
  current = code;
  try { localStorage.setItem(LANGUAGE_KEY, code); } catch { /* remembered for this page only */ }
  document.documentElement.lang = code;
  applyLabels(document);
  for (const listener of listeners) listener(code);
}

/** Calls fn after the language changes, so a page can redraw what it built from data. */
export function onLanguageChange(fn) {
  listeners.push(fn);
}

/** True when the current language has a label for key. */
export function hasLabel(key) {
  return Object.prototype.hasOwnProperty.call(LANGUAGES[current], key);
}

/** The label for key in the current language, with {name} placeholders filled from vars. */
export function t(key, vars) {
  let text = LANGUAGES[current][key];
  if (text === undefined) {
    console.warn(`missing label: ${key} (${current})`);
    text = key;
  }
  if (vars) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }
  return text;
}

/**
 * Fills every element under root that names a label: data-i18n (text), data-i18n-placeholder,
 * data-i18n-aria-label and data-i18n-title.
 */
export function applyLabels(root) {
  for (const node of root.querySelectorAll('[data-i18n]')) setText(node, t(node.dataset.i18n));
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll('[data-i18n-aria-label]')) node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  for (const node of root.querySelectorAll('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
  const titleKey = document.body.dataset.titleKey;
  if (titleKey) document.title = `${t(titleKey)} · ${t('site.name')}`;
}

const HAN = /(\p{Script=Han}[\p{Script=Han}\p{Punctuation}\s]*\p{Script=Han}|\p{Script=Han})/u;

// Puts text in node, with each run of Chinese inside text in another language (the English labels' examples of app
// names) in a <span lang="zh-CN">, so a screen reader says it in a Chinese voice (issue 26). No markup is parsed.
export function setText(node, text) {
  if (current === 'zh-CN' || !HAN.test(text)) { node.textContent = text; return; }
  node.replaceChildren(...text.split(HAN).filter((part) => part !== '').map((part) => (
    HAN.test(part) ? el('span', { attrs: { lang: 'zh-CN' }, text: part }) : document.createTextNode(part))));
}

/**
 * Builds an element. props: class, text, i18n (a label key, redrawn on language change through
 * applyLabels), attrs (attributes), on (event handlers), and any DOM property (value, type, …).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name === 'i18n') { node.dataset.i18n = value; setText(node, t(value)); }
    else if (name === 'attrs') for (const [a, v] of Object.entries(value)) { if (v !== undefined && v !== null && v !== false) node.setAttribute(a, v === true ? '' : v); }
    else if (name === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node[name] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A time from the API (UTC ISO-8601) in the reader's time zone and language. */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/**
 * Guesses what kind of identifier someone typed, so people who do not know the word "kind" can
 * just paste what they have: platform:id is an account, a web address is a url, digits are a phone,
 * anything else is an app name or package id.
 */
export function guessKind(value) {
  const text = value.trim().normalize('NFKC');
  const prefixed = /^([^\s:：/.]{1,16})\s*[:：]\s*\S/.exec(text);
  if (prefixed && !/^(https?|ftp)$/i.test(prefixed[1]) && !text.includes('//')) return 'account';
  if (/^[+(]?[\d\s()\-.+]{3,}$/.test(text)) return 'phone';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /\//.test(text)) return 'url';
  // Android package ids are reversed domains (com.example.app); they name apps, not sites.
  if (/^(com|org|net|cn|io|me|app)\.[a-z0-9_]+(\.[a-z0-9_]+)+$/i.test(text)) return 'app';
  if (/^[^\s@/]+\.[a-z\u00a1-\uffff]{2,}\.?$/i.test(text)) return 'url';
  return 'app';
}

/**
 * Calls the API. Answers { ok, status, data, problem, headers }; a network failure is a problem
 * with code network_error, so pages have one path for every failure.
 */
export async function api(method, path, { body, key, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin' };
  if (key) init.headers['X-Api-Key'] = key;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, data: null, problem: { code: 'network_error' }, headers: new Headers() };
  }
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (response.ok) return { ok: true, status: response.status, data, problem: null, headers: response.headers };
  const problem = data && typeof data === 'object' ? data : { code: `http_${response.status}` };
  if (!problem.code) problem.code = `http_${response.status}`;
  if (response.status === 429) problem.retryAfter = response.headers.get('Retry-After');
  return { ok: false, status: response.status, data: null, problem, headers: response.headers };
}

/** What a problem means, in the reader's language when the portal has a label for its code. */
export function problemText(problem) {
  const key = `problem.${problem.code}`;
  if (problem.code === 'rate_limited' && problem.retryAfter) return t('problem.rate_limited_wait', { seconds: problem.retryAfter });
  if (hasLabel(key)) return t(key);
  return problem.detail || t('problem.generic');
}

/**
 * Shows a problem in a form: the message in the form's alert area, and each field the problem's
 * errors name marked invalid with its message beside it (fields carry data-field="<errors key>").
 */
export function showProblem(form, problem) {
  clearProblem(form);
  const alert = form.querySelector('[data-role="form-alert"]');
  if (alert) {
    alert.hidden = false;
    const text = el('p');
    setText(text, problemText(problem));
    alert.replaceChildren(text);
  }
  const errors = problem.errors || {};
  for (const [name, messages] of Object.entries(errors)) {
    const field = findField(form, name);
    if (!field) continue;
    markInvalid(field, messages.map(localText).join(' '));
  }
  if (alert) alert.focus();
}

/**
 * A message kept as { key, vars } is put in words now, in the current language, so a form that redraws its problem
 * after a language change shows it in the new language (issue 26); a string is shown as it is.
 */
export function localText(message) {
  return typeof message === 'string' ? message : t(message.key, message.vars);
}

/**
 * After a button that was disabled while its form was sent is enabled again: if nothing took focus on purpose (a
 * result, an alert, a field), focus goes back to the button rather than staying on the page's body (issue 26).
 */
export function keepFocus(button) {
  if (button.isConnected && (!document.activeElement || document.activeElement === document.body)) button.focus();
}

/** Marks one field invalid with a message read out with it. */
export function markInvalid(field, message) {
  field.setAttribute('aria-invalid', 'true');
  const id = `${field.id}-error`;
  let note = document.getElementById(id);
  if (!note) {
    note = el('p', { id, class: 'field-error' });
    field.insertAdjacentElement('afterend', note);
  }
  setText(note, message);
  const described = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  if (!described.includes(id)) field.setAttribute('aria-describedby', [...described, id].join(' '));
}

export function clearProblem(form) {
  const alert = form.querySelector('[data-role="form-alert"]');
  if (alert) { alert.hidden = true; alert.replaceChildren(); }
  for (const field of form.querySelectorAll('[aria-invalid="true"]')) field.removeAttribute('aria-invalid');
  for (const note of form.querySelectorAll('.field-error')) note.remove();
}

function findField(form, name) {
  const lower = name.toLowerCase();
  for (const field of form.querySelectorAll('[data-field]')) {
    if (field.dataset.field.split(' ').some((f) => f.toLowerCase() === lower)) return field;
  }
  return null;
}

// The appeal a person opened in this tab, { code, token }: the appeal page leaves it here when it is filed, so the track
// page opens it without the token being typed again; the track page keeps it so a reload keeps the appeal on screen.
// sessionStorage belongs to this tab alone and is gone when the tab is closed (a shared or borrowed phone keeps nothing),
// unlike localStorage. The token never goes into the address, where history, bookmarks and screenshots would keep it.
const APPEAL_KEY = 'flagapi.track';

export function rememberAppeal(code, token) {
  try { sessionStorage.setItem(APPEAL_KEY, JSON.stringify({ code, token })); } catch { /* memory only, then */ }
}

export function recallAppeal() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(APPEAL_KEY) || 'null');
    if (stored && typeof stored.code === 'string' && typeof stored.token === 'string') return stored;
  } catch { /* nothing usable stored */ }
  return null;
}

export function forgetAppeal() {
  try { sessionStorage.removeItem(APPEAL_KEY); } catch { /* nothing stored */ }
}

/**
 * Puts text on the clipboard; false if the browser would not. The text is also selected, so a person whose browser
 * refuses can still copy it with the keyboard or a long press.
 */
export async function copyText(text, selectIn) {
  if (selectIn) {
    const range = document.createRange();
    range.selectNodeContents(selectIn);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A name the service keeps in both languages as "English (Chinese)", as the starting allowlist of protected numbers
 * does for every bank and platform (migration 0004): the part in the reader's language. Any other text, such as a
 * reason an operator wrote in one language, is shown as written.
 */
export function localName(text) {
  const match = /^(.*?\S)\s*[(（]([^()（）]*\p{Script=Han}[^()（）]*)[)）]$/u.exec((text ?? '').trim());
  if (!match || /\p{Script=Han}/u.test(match[1])) return text;
  return current === 'zh-CN' ? match[2] : match[1];
}

/** The query string of the page's address. */
export function query() {
  return new URLSearchParams(location.search);
}

/** The address every page names as the official portal. */
export function officialAddress() {
  const configured = document.querySelector('meta[name="flagapi-official-address"]')?.content?.trim();
  return configured || location.origin;
}

const NAVIGATION = [
  ['/', 'nav.check', 'check'],
  ['/report', 'nav.report', 'report'],
  ['/appeal', 'nav.appeal', 'appeal'],
  ['/track', 'nav.track', 'track'],
];

function renderHeader() {
  const header = document.getElementById('site-header');
  const page = document.body.dataset.page;
  const other = current === 'zh-CN' ? 'en' : 'zh-CN';
  const switcher = el('button', {
    type: 'button',
    class: 'language-switch',
    id: 'language-switch',
    attrs: { lang: other, 'aria-label': LANGUAGES[other]['layout.switchLanguageLabel'] },
    text: LANGUAGES[other]['layout.languageName'],
    on: { click: () => { setLanguage(other); renderHeader(); document.getElementById('language-switch').focus(); } },
  });
  const links = NAVIGATION.map(([href, key, name]) => el('li', {},
    el('a', { href, i18n: key, attrs: { 'aria-current': name === page ? 'page' : null } })));
  header.replaceChildren(
    el('div', { class: 'header-bar' },
      el('a', { class: 'brand', href: '/' }, el('img', { src: '/portal/icon.svg', alt: '', width: 28, height: 28 }), el('span', { i18n: 'site.name' })),
      switcher),
    el('nav', { attrs: { 'aria-label': t('layout.navigation') }, dataset: { i18nAriaLabel: 'layout.navigation' } }, el('ul', {}, links)),
  );
}

function renderSafetyNotice() {
  const notice = document.getElementById('safety-notice');
  const address = officialAddress();
  notice.replaceChildren(
    el('h2', { id: 'safety-title', i18n: 'safety.title' }),
    el('ul', {},
      el('li', { i18n: 'safety.money' }),
      el('li', { i18n: 'safety.calls' }),
      el('li', { i18n: 'safety.links' })),
    el('p', {}, el('span', { i18n: 'safety.official' }), ' ', el('strong', { class: 'official-address' }, breakableAddress(address))),
  );
}

/**
 * An address that may wrap on a narrow phone after its '/', '.' and ':', never inside a part ("localhos t" or a break at
 * a hyphen reads as another address, which is the one thing this line must not do): each part is kept whole, with a
 * <wbr> between parts, where nothing in the text itself would let the line break.
 */
function breakableAddress(address) {
  return address.split(/(?<=[/.:])/).flatMap((part, i) => [i > 0 ? el('wbr') : null, el('span', { class: 'address-part', text: part })]);
}

function renderFooter() {
  const footer = document.getElementById('site-footer');
  footer.replaceChildren(
    el('p', { i18n: 'footer.about' }),
    el('p', {},
      el('a', { href: '/stats', i18n: 'footer.stats' }), ' · ',
      el('a', { href: '/swagger', i18n: 'footer.api' }), ' · ',
      el('a', { href: '/review', i18n: 'footer.review' })),
  );
}

/** Draws the layout around the page and fills its labels; every page module calls it first. */
export function startPage() {
  document.documentElement.lang = current;
  renderHeader();
  renderSafetyNotice();
  renderFooter();
  applyLabels(document);
}
