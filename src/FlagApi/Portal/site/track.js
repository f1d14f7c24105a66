// The track page: the appellant opens their appeal with its tracking code and access token, answers a reviewer's
// questions, withdraws, and reads the decision.
import {
  api, clearProblem, keepFocus, el, forgetAppeal, formatTime, hasLabel, onLanguageChange, problemText, query, recallAppeal,
  rememberAppeal, showProblem, startPage, t,
} from './portal.js';
import { filePicker } from './files.js';

// The token is a secret that opens the appeal, so it lives in this page's memory and in this tab's sessionStorage
// (rememberAppeal in portal.js says why there), never in the address.
const OPEN_STATES = ['submitted', 'in_review', 'needs_info'];

startPage();

const form = document.getElementById('track-form');
const codeField = document.getElementById('track-code');
const tokenField = document.getElementById('track-token');
const toggle = document.getElementById('track-token-toggle');
const submitButton = document.getElementById('track-submit');
const view = document.getElementById('appeal-view');
const status = document.getElementById('track-status');

/** The open appeal: { code, token, appeal }, in memory only (and the tab's sessionStorage, see above). */
let current = null;
let shownProblem = null;
/** What the appeal view says about the last action (answer sent, withdrawn, …), redrawn on language change. */
let notice = null;
let confirming = false;
/** The files chosen for the answer, kept while the appeal view is drawn again (a language change, a refused send). */
const answerFiles = [];
let answerPicker = null;
// The problem shown in the answer form, as a function that draws it in the current language: a language change redraws
// the appeal view, and with it the form, so the problem is drawn again rather than lost or left in the old language.
let answerProblem = null;

function showAnswerProblem(draw) {
  answerProblem = draw;
  draw(document.getElementById('answer-form'));
}

/** The API's refusals of a file, shown next to the file chooser. */
const FILE_CODES = new Set(['too_many_attachments', 'invalid_attachment', 'attachment_type_not_allowed', 'attachment_too_large', 'body_too_large']);

/** A code as a person may write it (any case, spaces, with or without AP), as AP-XXXX-XXXX; null if it cannot be one. */
function normalizeCode(text) {
  let body = text.normalize('NFKC').toUpperCase().replace(/[\s\-–—_]/g, '');
  if (body.startsWith('AP')) body = body.slice(2);
  if (!/^[A-Z0-9]{8}$/.test(body)) return null;
  return `AP-${body.slice(0, 4)}-${body.slice(4)}`;
}

function path(code, action = '') {
  return `/v1/appeals/${encodeURIComponent(code)}${action}`;
}

function tokenHeaders() {
  return { 'X-Appeal-Token': current.token };
}

// ── opening an appeal ──

async function open(code, token, { focusView = true } = {}) {
  submitButton.disabled = true;
  submitButton.textContent = t('track.opening');
  try {
    const answer = await api('GET', path(code), { headers: { 'X-Appeal-Token': token } });
    if (!answer.ok) {
      current = null;
      // A refused code and token are dropped; after a passing failure (network, rate limit) pressing again still works.
      if (answer.problem.code === 'appeal_not_found') forgetAppeal();
      view.hidden = true;
      view.replaceChildren();
      shownProblem = answer.problem;
      drawFormProblem();
      return;
    }
    shownProblem = null;
    clearProblem(form);
    // Opening the same appeal again (pressed while it was open) keeps an answer being typed, as a language change does.
    const typed = current?.code === answer.data.trackingCode ? document.getElementById('answer-message')?.value : null;
    current = { code: answer.data.trackingCode, token, appeal: answer.data };
    codeField.value = current.code;
    rememberAppeal(current.code, token);
    notice = null;
    confirming = false;
    answerProblem = null;
    drawView();
    const answerField = document.getElementById('answer-message');
    if (typed && answerField) answerField.value = typed;
    if (focusView) document.getElementById('appeal-view-title').focus();
  } finally {
    submitButton.disabled = false;
    submitButton.textContent = t('track.submit');
    // Opened by itself when the page loads, it leaves focus where it is.
    if (focusView) keepFocus(submitButton);
  }
}

function drawFormProblem() {
  if (!shownProblem) { clearProblem(form); return; }
  const problem = shownProblem;
  if (problem.local) {
    showProblem(form, { code: 'track:fields', detail: t('track.error.fields'), errors: problem.errors });
    return;
  }
  // One answer for a wrong code and a wrong token alike: the API does not say which, and neither does the page.
  const key = problem.code === 'appeal_not_found' || problem.status === 401 ? 'track.problem.notFound' : null;
  showProblem(form, { code: `track:${problem.code}`, detail: key ? t(key) : problemText(problem) });
}

function submit(event) {
  event.preventDefault();
  if (submitButton.disabled) return;
  const errors = {};
  const code = normalizeCode(codeField.value);
  const token = tokenField.value.normalize('NFKC').replace(/\s+/g, '');
  if (!codeField.value.trim()) errors.code = [{ key: 'track.error.code' }];
  else if (!code) errors.code = [{ key: 'track.error.codeFormat' }];
  if (!token) errors.token = [{ key: 'track.error.token' }];
  if (Object.keys(errors).length > 0) {
    shownProblem = { local: true, errors };
    drawFormProblem();
    return;
  }
  open(code, token);
}

// ── the appeal ──

function drawView() {
  const appeal = current.appeal;
  const isOpen = OPEN_STATES.includes(appeal.status);
  // replaceChildren, unlike el(), would write a null as the text "null".
  view.replaceChildren(...[
    el('h2', { id: 'appeal-view-title', attrs: { tabindex: '-1' }, text: t('track.view.title', { code: appeal.trackingCode }) }),
    notice ? el('p', { class: `notice track-notice ${notice.kind ?? ''}`, id: 'track-notice', attrs: { tabindex: '-1' }, text: t(notice.key) }) : null,
    el('p', { class: 'status-line' },
      el('span', { i18n: 'track.view.status' }), ' ',
      el('strong', { id: 'appeal-status', class: `badge status-${appeal.status}`, dataset: { status: appeal.status }, i18n: `status.${appeal.status}` })),
    el('p', { class: 'status-explain', text: t(`track.explain.${appeal.status}`, { date: formatTime(appeal.dueBy) }) }),
    el('dl', { class: 'facts' },
      el('dt', { i18n: 'track.view.what' }),
      el('dd', { class: 'value', text: t('track.view.kindValue', { kind: t(`kind.${appeal.kind}`), value: appeal.query || appeal.value }) }),
      el('dt', { i18n: 'track.view.filed' }),
      el('dd', { text: formatTime(appeal.createdAt) }),
      appeal.ownerSince ? el('dt', { i18n: 'track.view.ownerSince' }) : null,
      appeal.ownerSince ? el('dd', { id: 'appeal-owner-since', text: appeal.ownerSince }) : null,
      isOpen ? el('dt', { i18n: 'track.view.due' }) : null,
      isOpen ? el('dd', { id: 'appeal-due', text: formatTime(appeal.dueBy) }) : null),
    appeal.status === 'needs_info' ? drawQuestions(appeal) : null,
    appeal.decision ? drawDecision(appeal) : null,
    appeal.status === 'withdrawn' ? el('p', { class: 'notice', id: 'appeal-withdrawn', i18n: 'track.withdrawn.explain' }) : null,
    el('h3', { i18n: 'track.history.title' }),
    el('ol', { id: 'appeal-history', class: 'history' }, appeal.history.map(drawEvent)),
    drawSent(appeal),
    isOpen ? drawWithdraw() : null,
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'track-forget', class: 'secondary', i18n: 'track.forget', on: { click: close } })),
  ].filter(Boolean));
  view.hidden = false;
}

function drawQuestions(appeal) {
  const open = appeal.informationRequests.filter((r) => !r.answered);
  const asked = open.length > 0 ? open : appeal.informationRequests.slice(-1);
  return el('section', { class: 'questions', id: 'appeal-questions', attrs: { 'aria-labelledby': 'appeal-questions-title' } },
    el('h3', { id: 'appeal-questions-title', i18n: 'track.questions.title' }),
    el('p', { i18n: 'track.questions.explain' }),
    asked.map((request) => el('blockquote', { class: 'question' },
      el('p', { text: request.message || t('track.questions.noText') }),
      el('footer', { text: t('track.questions.asked', { date: formatTime(request.at) }) }))),
    drawAnswerForm());
}

function drawAnswerForm() {
  const answerForm = el('form', { id: 'answer-form', attrs: { novalidate: true }, on: { submit: sendAnswer } },
    el('div', { class: 'alert', dataset: { role: 'form-alert' }, attrs: { role: 'alert', tabindex: '-1' }, hidden: true }),
    el('div', { class: 'field' },
      el('label', { attrs: { for: 'answer-message' } }, el('span', { i18n: 'track.answer.label' }), ' ', el('span', { class: 'required', i18n: 'form.required' })),
      el('span', { class: 'hint', id: 'answer-message-hint', i18n: 'track.answer.hint' }),
      el('textarea', { id: 'answer-message', name: 'message', rows: 5, maxLength: 5000, dataset: { field: 'message' }, attrs: { 'aria-describedby': 'answer-message-hint' } })),
    drawAnswerFiles(),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', id: 'answer-submit', i18n: 'track.answer.submit' })));
  return answerForm;
}

/** Photos or PDF files with the answer (a reviewer asking for a photo of a contract gets one), as when filing. */
function drawAnswerFiles() {
  const input = el('input', {
    id: 'answer-files', name: 'files', type: 'file', multiple: true, class: 'visually-hidden', tabIndex: -1,
    dataset: { field: 'attachments files' },
    attrs: { accept: '.png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf', 'aria-describedby': 'answer-files-hint' },
  });
  const hint = el('span', { class: 'hint', id: 'answer-files-hint' });
  const button = el('button', { type: 'button', id: 'answer-files-choose', class: 'secondary', i18n: 'appeal.files.choose', attrs: { 'aria-describedby': 'answer-files-hint' } });
  const list = el('ul', { id: 'answer-file-list', class: 'file-list', attrs: { 'aria-live': 'polite' } });
  answerPicker = filePicker({ input, button, list, hint, chosen: answerFiles });
  return el('div', { class: 'field' },
    el('label', { attrs: { for: 'answer-files' } }, el('span', { i18n: 'track.answer.files' }), ' ', el('span', { class: 'optional', i18n: 'form.optional' })),
    hint, input, button, list);
}


async function sendAnswer(event) {
  event.preventDefault();
  const answerForm = event.currentTarget;
  const field = document.getElementById('answer-message');
  const button = document.getElementById('answer-submit');
  if (button.disabled) return;
  clearProblem(answerForm);
  answerProblem = null;
  const message = field.value.trim();
  if (!message && answerFiles.length === 0) {
    showAnswerProblem((f) => showProblem(f, { code: 'track:fields', detail: t('track.error.fields'), errors: { message: [{ key: 'track.error.answer' }] } }));
    return;
  }
  answerPicker.forgetNote();
  button.disabled = true;
  button.textContent = t('form.sending');
  let attachments;
  try {
    attachments = await answerPicker.read();
  } catch {
    button.disabled = false;
    button.textContent = t('track.answer.submit');
    showAnswerProblem((f) => showProblem(f, { code: 'track:file_unreadable', detail: t('appeal.problem.file_unreadable'), errors: { attachments: [{ key: 'appeal.problem.file_unreadable' }] } }));
    return;
  }
  const body = attachments.length > 0 ? { message, attachments } : { message };
  const answer = await api('POST', path(current.code, '/messages'), { body, headers: tokenHeaders() });
  if (answer.ok) {
    answerFiles.length = 0;
    current.appeal = answer.data;
    notice = { key: 'track.answer.sent' };
    drawView();
    announce(t('track.answer.sent'));
    document.getElementById('track-notice').focus();
    return;
  }
  button.disabled = false;
  button.textContent = t('track.answer.submit');
  keepFocus(button);
  await explainActionProblem(answer.problem, answerForm, () => { document.getElementById('answer-message').value = message; });
}

/** A refused action: the appeal changed under the person (a reviewer acted) is read again; other problems are shown in place. */
async function explainActionProblem(problem, actionForm, restore) {
  if (problem.code === 'invalid_transition' || problem.code === 'appeal_changed') {
    const reread = await api('GET', path(current.code), { headers: tokenHeaders() });
    if (reread.ok) {
      current.appeal = reread.data;
      notice = { key: problem.code === 'appeal_changed' ? 'track.problem.changed' : 'track.problem.closed', kind: 'warning' };
      drawView();
      if (restore && document.getElementById('answer-message')) restore();
      document.getElementById('track-notice').focus();
      return;
    }
  }
  if (problem.code === 'appeal_not_found') {
    close();
    shownProblem = problem;
    drawFormProblem();
    return;
  }
  // A refused file is named as on the appeal page, next to the file chooser.
  const draw = (f) => {
    const key = [`track.problem.${problem.code}`, `appeal.problem.${problem.code}`].find(hasLabel);
    const detail = key ? t(key) : problemText(problem);
    const aboutFiles = FILE_CODES.has(problem.code) && document.getElementById('answer-files');
    showProblem(f, { code: `track:${problem.code}`, detail, errors: aboutFiles ? { attachments: [detail] } : {} });
  };
  if (actionForm.id === 'answer-form') showAnswerProblem(draw);
  else draw(actionForm);
}

function drawDecision(appeal) {
  const decision = appeal.decision;
  const outcome = decision.outcome;
  // An approval as a new owner may leave the number flagged by sources newer than the ownership: it says so.
  const stillFlagged = outcome === 'approved' && decision.stillFlagged === true;
  const title = outcome === 'resolved' ? 'track.decision.resolved'
    : outcome === 'rejected' ? 'track.decision.rejected'
      : stillFlagged ? 'track.decision.approvedStillFlagged' : 'track.decision.approved';
  return el('section', {
    id: 'appeal-decision',
    class: `verdict ${outcome === 'rejected' || stillFlagged ? 'verdict-flagged' : 'verdict-cleared'}`,
    dataset: { decision: outcome },
    attrs: { 'aria-labelledby': 'appeal-decision-title' },
  },
  el('h3', { id: 'appeal-decision-title', i18n: title }),
  el('p', { text: t('track.decision.when', { date: formatTime(decision.decidedAt) }) }),
  decision.reason ? el('p', {}, el('strong', { i18n: 'track.decision.reason' }), ' ', el('span', { class: 'decision-reason', text: decision.reason })) : null,
  decision.ownerSince ? el('p', { id: 'appeal-owner-verified', text: t('track.decision.ownerSince', { date: decision.ownerSince }) }) : null,
  outcome === 'rejected' ? [drawWhatWouldChange(decision), drawAppealAgain(appeal)].flat()
    : stillFlagged ? el('p', { id: 'appeal-still-flagged', i18n: 'track.decision.stillFlaggedExplain' })
      : outcome === 'resolved' ? el('p', { i18n: 'track.decision.resolvedExplain' })
        : [el('p', { i18n: 'track.decision.approvedExplain' }), el('p', { i18n: 'track.decision.approvedStill' })]);
}

/** What would change a rejection: the reviewer's words, or what evidence helps for the kind (the API chooses). */
function drawWhatWouldChange(decision) {
  if (!decision.whatWouldChange) {
    return null;
  }
  return el('div', { id: 'appeal-what-would-change', class: 'what-would-change' },
    el('h4', { i18n: 'track.decision.whatWouldChange' }),
    el('p', { class: 'what-would-change-text', text: decision.whatWouldChange }));
}

/**
 * After a rejection a new appeal on the identifier is refused until the cool-down ends: until then the page says from
 * when, instead of a link to a form that would be refused; after it, the link leads to the form filled in for it.
 */
function drawAppealAgain(appeal) {
  const again = appeal.decision.appealAgainAt;
  if (again && Date.parse(again) > Date.now()) {
    return el('p', { id: 'appeal-again', dataset: { appealAgainAt: again } },
      el('span', { text: t('track.decision.rejectedWait', { date: formatTime(again) }) }));
  }
  const href = `/appeal?${new URLSearchParams({ kind: appeal.kind, value: appeal.query || appeal.value })}`;
  return [
    el('p', { i18n: 'track.decision.rejectedAgain' }),
    el('p', {}, el('a', { id: 'new-appeal-link', href, i18n: 'track.decision.newAppeal' })),
  ];
}

const ACTIONS = ['submitted', 'assigned', 'info_requested', 'message', 'withdrawn', 'approved', 'rejected', 'resolved'];

function drawEvent(event) {
  const by = event.by === 'you' ? 'you' : 'reviewer';
  const what = ACTIONS.includes(event.action) ? t(`track.action.${event.action}`) : t(`status.${event.to}`);
  return el('li', { class: `by-${by}`, dataset: { action: event.action } },
    el('p', { class: 'history-head' },
      el('strong', { class: 'history-who', i18n: `track.by.${by}` }), ' · ',
      el('time', { attrs: { datetime: event.at }, text: formatTime(event.at) })),
    el('p', { class: 'history-what', text: what }),
    event.message ? el('blockquote', { class: 'history-message', text: event.message }) : null,
    event.attachments?.length > 0
      ? el('ul', { class: 'history-files', attrs: { 'aria-label': t('track.sent.files') } }, event.attachments.map((file) => el('li', { text: file.fileName })))
      : null);
}

function drawSent(appeal) {
  return el('details', { class: 'sent' },
    el('summary', { i18n: 'track.sent.title' }),
    el('h4', { i18n: 'track.sent.statement' }),
    el('p', { class: 'statement', text: appeal.statement }),
    appeal.evidence.length > 0 ? [
      el('h4', { i18n: 'track.sent.evidence' }),
      el('ul', {}, appeal.evidence.map((item) => el('li', { text: item.type === 'link' ? item.url : item.text }))),
    ] : null,
    appeal.attachments.length > 0 ? [
      el('h4', { i18n: 'track.sent.files' }),
      el('ul', {}, appeal.attachments.map((file) => el('li', { text: file.fileName }))),
    ] : null);
}

// ── withdrawing ──

function drawWithdraw() {
  const section = el('section', { class: 'withdraw', id: 'withdraw-section', attrs: { 'aria-labelledby': 'withdraw-title' } },
    el('h3', { id: 'withdraw-title', i18n: 'track.withdraw.title' }));
  if (!confirming) {
    section.append(
      el('p', { i18n: 'track.withdraw.explain' }),
      el('button', { type: 'button', id: 'withdraw-button', class: 'secondary', i18n: 'track.withdraw.button', on: { click: () => { confirming = true; redrawWithdraw('withdraw-confirm-text'); } } }));
    return section;
  }
  section.append(
    el('div', {
      class: 'confirm',
      id: 'withdraw-confirm-panel',
      attrs: { role: 'group', 'aria-labelledby': 'withdraw-confirm-text' },
      on: { keydown: (event) => { if (event.key === 'Escape') { confirming = false; redrawWithdraw('withdraw-button'); } } },
    },
      el('p', { id: 'withdraw-confirm-text', attrs: { tabindex: '-1' } }, el('strong', { i18n: 'track.withdraw.confirmQuestion' })),
      el('p', { i18n: 'track.withdraw.confirmExplain' }),
      el('div', { class: 'alert', dataset: { role: 'form-alert' }, attrs: { role: 'alert', tabindex: '-1' }, hidden: true }),
      el('div', { class: 'actions' },
        el('button', { type: 'button', id: 'withdraw-confirm', class: 'danger', i18n: 'track.withdraw.confirm', on: { click: withdraw } }),
        el('button', { type: 'button', id: 'withdraw-cancel', class: 'secondary', i18n: 'track.withdraw.cancel', on: { click: () => { confirming = false; redrawWithdraw('withdraw-button'); } } }))));
  return section;
}

function redrawWithdraw(focusId) {
  document.getElementById('withdraw-section').replaceWith(drawWithdraw());
  document.getElementById(focusId).focus();
}

async function withdraw() {
  const button = document.getElementById('withdraw-confirm');
  if (button.disabled) return;
  button.disabled = true;
  const answer = await api('POST', path(current.code, '/withdraw'), { body: {}, headers: tokenHeaders() });
  if (answer.ok) {
    current.appeal = answer.data;
    confirming = false;
    notice = { key: 'track.withdraw.done' };
    drawView();
    announce(t('track.withdraw.done'));
    document.getElementById('track-notice').focus();
    return;
  }
  button.disabled = false;
  keepFocus(button);
  await explainActionProblem(answer.problem, document.getElementById('withdraw-confirm-panel'));
}

// ── the rest ──

/** Leaves the appeal: the token is dropped from memory and from this tab. */
function close() {
  current = null;
  notice = null;
  confirming = false;
  forgetAppeal();
  tokenField.value = '';
  view.hidden = true;
  view.replaceChildren();
  announce(t('track.closed'));
  tokenField.focus();
}

function announce(text) {
  status.textContent = text;
}

function setTokenVisible(visible) {
  tokenField.type = visible ? 'text' : 'password';
  toggle.setAttribute('aria-pressed', String(visible));
  toggle.dataset.i18n = visible ? 'track.token.hide' : 'track.token.show';
  toggle.textContent = t(toggle.dataset.i18n);
}

// The token is typed hidden, like a password, with a button to show it: it is long and random, so people need to see
// what they typed, but fraudsters in these cases often watch the victim's screen (screen-sharing "customer service"
// apps), and a token read off the screen opens the appeal to them.
toggle.addEventListener('click', () => setTokenVisible(tokenField.type === 'password'));
form.addEventListener('submit', submit);
onLanguageChange(() => {
  // What was announced has been said; left in the old language it would be read in the wrong voice, and said again
  // in the new one it would be news twice. What it said stays on screen in the view's notice, which is redrawn.
  announce('');
  if (current) {
    const focused = document.activeElement?.id;
    const answerText = document.getElementById('answer-message')?.value;
    drawView();
    if (answerText) document.getElementById('answer-message').value = answerText;
    if (answerProblem && document.getElementById('answer-form')) answerProblem(document.getElementById('answer-form'));
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }
  drawFormProblem();
});

const asked = query().get('code');
const stored = recallAppeal();
if (asked) codeField.value = asked;
if (stored && (!asked || normalizeCode(asked) === stored.code)) {
  codeField.value = stored.code;
  tokenField.value = stored.token;
  open(stored.code, stored.token, { focusView: false });
} else if (asked) {
  tokenField.focus();
}
