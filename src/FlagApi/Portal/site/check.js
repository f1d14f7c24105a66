// The check page: one field for whatever a person has (a number, a web address, an app, an account), the
// verdict in plain words, and the next step that fits it: appeal a flag on one's own number, or report.
import {
  startPage, t, el, keepFocus, api, problemText, markInvalid, clearProblem, showProblem, onLanguageChange,
  formatTime, guessKind, localName, query, KINDS,
} from './portal.js';
import { matchFacts, factList, appealBox, reportBox, noticeView, noticeLanguage } from './verdicts.js';
import { startMessageCheck } from './message.js';

startPage();
startMessageCheck();

const form = document.getElementById('check-form');
const valueField = document.getElementById('check-value');
const kindField = document.getElementById('check-kind');
const submit = document.getElementById('check-submit');
const result = document.getElementById('check-result');

// What is on screen, kept as data so a change of language redraws it in the other language.
let shown = null;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  check(true);
});

// The verdict takes focus when a person asked for it: the button they pressed is disabled while the lookup runs,
// which would otherwise drop focus to the page (issue 26).
result.tabIndex = -1;

kindField.addEventListener('change', () => {
  if (valueField.getAttribute('aria-invalid') === 'true') clearProblem(form);
});

onLanguageChange(() => {
  if (!shown) return;
  if (shown.problem) showInvalid(shown.problem, shown.kind, shown.guessed);
  else if (shown.lookup) {
    showResult(shown.lookup, shown.guessed);
    if (shown.lookup.notice) renotice(shown.lookup, shown.guessed);
  }
  else if (shown.failure) showProblem(form, shown.failure);
});

// Two modes as tabs: one identifier, or a whole message. The address says which (#message) so a link or a reload
// opens the right one; it never holds the message.
const MODES = {
  single: [document.getElementById('tab-single'), document.getElementById('single-panel')],
  message: [document.getElementById('tab-message'), document.getElementById('message-panel')],
};

function showMode(mode, focus) {
  for (const [name, [tab, panel]] of Object.entries(MODES)) {
    const selected = name === mode;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    panel.hidden = !selected;
  }
  if (focus) MODES[mode][0].focus();
  history.replaceState(null, '', location.pathname + location.search + (mode === 'message' ? '#message' : ''));
}

for (const [name, [tab]] of Object.entries(MODES)) {
  tab.addEventListener('click', () => showMode(name, false));
  // The arrow keys move between tabs, as in the review console (WAI-ARIA tabs pattern).
  tab.addEventListener('keydown', (event) => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const names = Object.keys(MODES);
    const next = { Home: 0, End: names.length - 1 }[event.key]
      ?? (names.indexOf(name) + (event.key === 'ArrowRight' ? 1 : names.length - 1)) % names.length;
    showMode(names[next], true);
  });
}

const params = query();
if (location.hash.startsWith('#message') && !params.get('value')) showMode('message', false);
if (params.get('value')) {
  valueField.value = params.get('value');
  const kind = params.get('kind');
  if (KINDS.includes(kind)) kindField.value = kind;
  check();
}

async function check(focusResult = false) {
  clearProblem(form);
  const value = valueField.value.trim();
  const guessed = kindField.value === 'auto';
  if (!value) {
    result.replaceChildren();
    delete result.dataset.verdict;
    showInvalid({ code: 'missing_value' }, null, false);
    return;
  }

  const kind = guessed ? guessKind(value) : kindField.value;
  submit.disabled = true;
  result.setAttribute('aria-busy', 'true');
  const answer = await api('GET', `/v1/lookup/${encodeURIComponent(kind)}?value=${encodeURIComponent(value)}`, { headers: { 'Accept-Language': noticeLanguage() } });
  submit.disabled = false;
  result.removeAttribute('aria-busy');
  if (answer.ok) {
    showResult(answer.data, guessed);
    if (focusResult || document.activeElement === document.body) result.focus({ preventScroll: true });
    // On a phone the answer starts below the fold; bring its heading up without hiding the field.
    if (result.getBoundingClientRect().top > window.innerHeight * 0.6) result.scrollIntoView({ block: 'start' });
  } else if (answer.status === 400) {
    result.replaceChildren();
    delete result.dataset.verdict;
    showInvalid(answer.problem, kind, guessed);
  } else {
    result.replaceChildren();
    delete result.dataset.verdict;
    shown = { failure: answer.problem };
    showProblem(form, answer.problem);
  }
  // After the result or a problem took focus, if either did: the button only gets it back from the page's body.
  if (focusResult) keepFocus(submit);
}

/** Asks again for a flag's notice, now in the page's new language; the answer on screen stays if that fails. */
async function renotice(lookup, guessed) {
  const answer = await api('GET', `/v1/lookup/${encodeURIComponent(lookup.kind)}?value=${encodeURIComponent(lookup.canonical)}`, { headers: { 'Accept-Language': noticeLanguage() } });
  if (answer.ok && shown?.lookup === lookup) showResult({ ...answer.data, query: lookup.query }, guessed);
}

/** A value that cannot be read as its kind: the message goes beside the field, and the field gets focus. */
function showInvalid(problem, kind, guessed) {
  shown = { problem, kind, guessed };
  clearProblem(form);
  let message = problemText(problem);
  if (guessed && kind) message += ` ${t('check.guessedAs', { kind: t(`kind.${kind}`) })}`;
  markInvalid(valueField, message);
  valueField.focus();
}

function showResult(lookup, guessed) {
  shown = { lookup, guessed };
  const reports = lookup.reports || { count: 0 };
  const verdict = lookup.verdict === 'clear' && reports.count > 0 ? 'reported' : lookup.verdict;
  result.dataset.verdict = verdict;
  const draw = { flagged: flaggedView, cleared: clearedView, clear: clearView, reported: reportedView }[verdict] || clearView;
  result.replaceChildren(el('div', { class: `verdict verdict-${verdict}` }, draw(lookup, guessed).flat(Infinity)));
}

function flaggedView(lookup, guessed) {
  const active = lookup.matches.filter((m) => m.status === 'active');
  return [
    el('h2', { text: t('check.flaggedTitle') }),
    el('p', { class: 'verdict-lead', text: t('check.flaggedLead') }),
    facts(lookup, guessed),
    active.map((match) => matchFacts(match, lookup, active.length > 1)),
    reportCount(lookup),
    protectedNotice(lookup),
    el('p', { class: 'advice', text: t('check.flaggedAdvice') }),
    noticeView(lookup.notice, 'flag-notice'),
    appealBox(lookup, 'appeal-link'),
  ];
}

function clearedView(lookup, guessed) {
  return [
    el('h2', { text: t('check.clearedTitle') }),
    el('p', { class: 'verdict-lead', text: t('check.clearedText') }),
    facts(lookup, guessed),
    reportCount(lookup),
    protectedNotice(lookup),
    el('p', { class: 'advice', id: 'cleared-caveat', text: t('check.clearedCaveat') }),
  ];
}

function clearView(lookup, guessed) {
  return [
    el('h2', { text: t('check.clearTitle') }),
    el('p', { class: 'verdict-lead', text: t('check.clearText') }),
    facts(lookup, guessed),
    protectedNotice(lookup),
    el('p', { class: 'advice', text: t('check.clearCaveat') }),
    reportBox(lookup, 'report-link'),
  ];
}

function reportedView(lookup, guessed) {
  const { count, lastAt, topCategory } = lookup.reports;
  return [
    el('h2', { text: t(count === 1 ? 'check.reportedTitleOne' : 'check.reportedTitle', { count }) }),
    el('p', { class: 'verdict-lead', text: t('check.reportedText') }),
    facts(lookup, guessed, [
      lastAt ? [t('check.reportedLast'), formatTime(lastAt)] : null,
      topCategory ? [t('check.reportedCategory'), t(`category.${topCategory}`)] : null,
    ]),
    protectedNotice(lookup),
    el('p', { class: 'advice', text: t('check.clearCaveat') }),
    reportBox(lookup, 'report-link'),
  ];
}

/** What was checked and as what kind, so a wrong guess is easy to see and correct. */
function facts(lookup, guessed, more = []) {
  const kindName = t(`kind.${lookup.kind}`);
  const rows = [
    [t('check.resultChecked'), el('span', { class: 'canonical', text: lookup.canonical })],
    [t('check.resultKind'), guessed ? t('check.resultKindGuessed', { kind: kindName }) : kindName],
    ...more,
  ].filter(Boolean);
  const list = factList(rows, 'facts');
  return guessed ? [list, el('p', { class: 'hint', text: t('check.wrongKind') })] : list;
}

function reportCount(lookup) {
  const count = lookup.reports?.count || 0;
  if (count === 0) return null;
  return el('p', { text: t(count === 1 ? 'check.alsoReportedOne' : 'check.alsoReported', { count }) });
}

/** An official number or major platform: fraudsters pretend to be it, so say so whatever the verdict. */
function protectedNotice(lookup) {
  const notice = lookup.protected;
  if (!notice) return null;
  return el('p', { class: 'notice protected', text: t('check.protected', { display: notice.display, reason: localName(notice.reason) }) });
}
