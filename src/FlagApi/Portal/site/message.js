// The check page's second mode: a whole pasted message. POST /v1/check/message finds every number, link and account
// in it and looks each one up; the page shows the message with each one highlighted where it was written, and the
// same next step for each as the single check gives.
//
// The message is whatever a fraudster wrote, so it only ever becomes text nodes. It goes to the API in the body of
// one POST and nowhere else: not into the address, not into storage; it lives in the field and this module's memory.
import {
  t, el, keepFocus, api, hasLabel, language, problemText, markInvalid, clearProblem, showProblem, onLanguageChange,
} from './portal.js';
import { matchFacts, factList, appealBox, reportBox, noticeView, noticeLanguage } from './verdicts.js';

// The endpoint's limit, in Unicode code points (the contract): an emoji counts once, as a person counts it.
const MAX_CHARACTERS = 5000;

let form;
let field;
let count;
let submit;
let result;

// What is on screen, so a change of language redraws it: { text, answer } or { problem, beside }.
let shown = null;
// Only the answer to the latest request is drawn.
let latest = 0;

export function startMessageCheck() {
  form = document.getElementById('message-form');
  field = document.getElementById('message-text');
  count = document.getElementById('message-count');
  submit = document.getElementById('message-submit');
  result = document.getElementById('message-result');

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    checkMessage();
  });
  field.addEventListener('input', showCount);
  document.getElementById('message-clear').addEventListener('click', () => {
    latest++;
    field.value = '';
    forget();
    showCount();
    field.focus();
  });
  onLanguageChange(() => {
    showCount();
    if (shown?.answer) showAnswer(shown.text, shown.answer);
    else if (shown?.beside) showInvalid(shown.problem, false);
    else if (shown?.problem) showProblem(form, shown.problem);
  });
  showCount();
}

function characters(text) {
  return [...text].length;
}

function showCount() {
  const used = characters(field.value);
  const over = used - MAX_CHARACTERS;
  count.classList.toggle('over', over > 0);
  count.textContent = over > 0
    ? t('check.message.countOver', { over, max: MAX_CHARACTERS })
    : t('check.message.count', { count: used, max: MAX_CHARACTERS });
}

function forget() {
  shown = null;
  clearProblem(form);
  result.replaceChildren();
  delete result.dataset.verdict;
}

async function checkMessage() {
  forget();
  const text = field.value;
  // The API would refuse both; saying so here spares a round trip and the rate budget.
  if (!text.trim()) return showInvalid({ code: 'missing_text' }, true);
  if (characters(text) > MAX_CHARACTERS) return showInvalid({ code: 'text_too_long' }, true);

  const request = ++latest;
  submit.disabled = true;
  result.setAttribute('aria-busy', 'true');
  const answer = await api('POST', '/v1/check/message', { body: { text }, headers: { 'Accept-Language': noticeLanguage() } });
  submit.disabled = false;
  result.removeAttribute('aria-busy');
  keepFocus(submit);
  if (request !== latest) return;
  if (answer.ok) {
    showAnswer(text, answer.data);
    document.getElementById('message-verdict').focus();
  } else if (answer.problem.code === 'missing_text' || answer.problem.code === 'text_too_long') {
    showInvalid(answer.problem, true);
  } else {
    shown = { problem: readable(answer) };
    showProblem(form, shown.problem);
  }
}

/** A refusal the portal has no words for is said by its status, in the page's language, not in the API's English. */
function readable(answer) {
  const { problem } = answer;
  if (hasLabel(`problem.${problem.code}`)) return problem;
  if (answer.status === 503) return { code: 'unavailable' };
  return { code: 'generic' };
}

/** A message that cannot be checked as it is: said beside the field, which gets focus. */
function showInvalid(problem, focus) {
  shown = { problem, beside: true };
  clearProblem(form);
  markInvalid(field, problemText(problem));
  if (focus) field.focus();
}

function showAnswer(text, answer) {
  shown = { text, answer };
  const items = answer.items || [];
  const verdict = items.some((item) => item.verdict === 'flagged') ? 'flagged' : 'clear';
  result.dataset.verdict = verdict;
  const titleKey = verdict === 'flagged' ? 'check.message.flaggedTitle' : items.length ? 'check.message.clearTitle' : 'check.message.emptyTitle';
  result.replaceChildren(
    el('div', { class: `verdict verdict-${verdict}` },
      el('h2', { id: 'message-verdict', text: t(titleKey), attrs: { tabindex: '-1' } }),
      el('p', { class: 'verdict-lead', id: 'message-reason', text: reason(items) }),
      answer.truncated ? el('p', { class: 'notice', id: 'message-truncated', text: t('check.message.truncated', { count: items.length }) }) : null,
      el('p', { class: 'advice', text: t(verdict === 'flagged' ? 'check.flaggedAdvice' : 'check.clearCaveat') })),
    ...(items.length === 0 ? [] : [
      el('h3', { id: 'message-marked-title', text: t('check.message.markedTitle') }),
      el('p', { class: 'hint', text: t('check.message.markedHint') }),
      el('div', { id: 'message-marked', class: 'message-text' }, marked(text, items)),
      el('h3', { id: 'message-items-title', text: t('check.message.itemsTitle') }),
      el('ol', { id: 'message-items', class: 'found-items', attrs: { 'aria-labelledby': 'message-items-title' } },
        items.map((item, i) => itemView(item, i + 1))),
    ]),
  );
}

/**
 * The overall verdict in the reader's language, composed from the items (the API's reason is English): which
 * flagged things the message holds, or what was checked. An identifier written twice is one thing here.
 */
function reason(items) {
  const distinct = [...new Map(items.map((item) => [`${item.kind} ${item.canonical}`, item])).values()];
  if (distinct.length === 0) return t('check.message.nothingFound');
  const flagged = distinct.filter((item) => item.verdict === 'flagged');
  const list = new Intl.ListFormat(language(), { type: 'conjunction' });
  if (flagged.length === 0) {
    const kinds = ['phone', 'url', 'domain', 'app', 'account']
      .map((kind) => [kind, distinct.filter((item) => item.kind === kind).length])
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => t(n === 1 ? `check.message.count.${kind}.one` : `check.message.count.${kind}`, { count: n }));
    return t(distinct.length === 1 ? 'check.message.clearReasonOne' : 'check.message.clearReason', { list: list.format(kinds) });
  }

  const named = list.format(flagged.map((item) => {
    const match = strongest(item.matches);
    const vars = { kind: t(`check.message.kind.${item.kind}`), value: item.canonical };
    if (!match) return t('check.message.flaggedThing', vars);
    return t('check.message.flaggedThingWhy', { ...vars, category: t(`category.${match.category}`), risk: t(`risk.${match.risk}`) });
  }));
  const key = distinct.length === 1 ? 'check.message.flaggedReasonOne'
    : flagged.length === distinct.length ? 'check.message.flaggedReasonAll' : 'check.message.flaggedReason';
  return t(key, { list: named, flagged: flagged.length, total: distinct.length });
}

const RISKS = ['low', 'medium', 'high'];

/** The active match with the highest risk: what a flagged thing is mainly listed for. */
function strongest(matches = []) {
  const active = matches.filter((m) => m.status === 'active');
  return (active.length ? active : matches).reduce((best, m) => (!best || RISKS.indexOf(m.risk) > RISKS.indexOf(best.risk) ? m : best), null);
}

/**
 * The message as text nodes, with each item's span in a <mark> and a numbered link to its entry in the list below.
 * A span that does not hold the item's text, or overlaps one before it, is not marked (the list still shows the item):
 * the page never marks a place the API did not name exactly.
 */
function marked(text, items) {
  const parts = [];
  let at = 0;
  items.forEach((item, i) => {
    const start = item.span?.start;
    const end = start + item.span?.length;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < at || end > text.length || text.slice(start, end) !== item.text) return;
    if (start > at) parts.push(text.slice(at, start));
    const n = i + 1;
    parts.push(
      el('mark', { id: `message-mark-${n}`, class: `found found-${item.verdict}`, text: item.text }),
      el('a', {
        class: `found-ref found-${item.verdict}`,
        href: `#message-item-${n}`,
        text: String(n),
        attrs: { 'aria-label': t('check.message.markLabel', { n, verdict: t(`check.message.verdict.${item.verdict}`) }) },
      }),
    );
    at = end;
  });
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/** One item found: what it is, its verdict, why it is flagged, and the step that fits it. */
function itemView(item, n) {
  const rows = [[t('check.resultChecked'), el('span', { class: 'canonical', text: item.canonical })]];
  if (item.text !== item.canonical) rows.push([t('check.message.written'), el('span', { class: 'written', text: item.text })]);
  const active = (item.matches || []).filter((m) => m.status === 'active');
  let next = null;
  if (item.verdict === 'flagged') next = appealBox(item);
  else if (item.verdict === 'clear') next = reportBox(item);
  return el('li', { id: `message-item-${n}`, class: `found-item found-${item.verdict}`, dataset: { kind: item.kind, verdict: item.verdict }, attrs: { tabindex: '-1' } },
    el('h4', { id: `message-item-${n}-title` },
      el('span', { class: 'found-number', text: `${n}.` }), ' ',
      el('span', { class: 'found-kind', text: t(`kind.${item.kind}`) }), ' ',
      el('span', { class: `badge found-verdict found-${item.verdict}`, text: t(`check.message.verdict.${item.verdict}`) })),
    factList(rows, 'facts'),
    item.verdict === 'flagged' ? active.map((match) => matchFacts(match, item, active.length > 1)) : null,
    item.verdict === 'cleared' ? el('p', { class: 'hint', text: t('check.clearedText') }) : null,
    item.verdict === 'flagged' ? itemNotice(item.notice, n) : null,
    next);
}

/** An item's flag notice, named by its item's heading as well: every flagged item has one, and landmark names must differ. */
function itemNotice(notice, n) {
  const section = noticeView(notice, `message-item-${n}-notice`);
  section.setAttribute('aria-labelledby', `message-item-${n}-notice-title message-item-${n}-title`);
  return section;
}
