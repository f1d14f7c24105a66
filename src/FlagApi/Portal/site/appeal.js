// The appeal page: a person whose own number or account was flagged by mistake asks for it to be cleared.
import {
  KINDS, api, clearProblem, copyText, keepFocus, el, formatTime, guessKind, hasLabel, language, onLanguageChange, problemText,
  query, rememberAppeal, setText, showProblem, startPage, t,
} from './portal.js';
import { filePicker } from './files.js';

// AppealSubmissionService: at most 20 evidence items of at most 2,000 characters each.
const MAX_EVIDENCE_ITEMS = 20;
const MAX_EVIDENCE_TEXT = 2000;

// Which field a refusal of the API is about (its problems carry a code, not an errors map).
const FIELD_OF_CODE = {
  unknown_kind: 'kind',
  missing_value: 'value',
  not_flagged: 'value',
  appeal_cooldown: 'value',
  invalid_owner_since: 'ownerSince',
  flag_not_older_than_ownership: 'ownerSince',
  missing_name: 'name',
  missing_contact: 'contact',
  missing_statement: 'statement',
  invalid_evidence: 'evidence',
  invalid_link: 'evidence',
  too_many_evidence: 'evidence',
  too_many_attachments: 'attachments',
  invalid_attachment: 'attachments',
  attachment_type_not_allowed: 'attachments',
  attachment_too_large: 'attachments',
};

startPage();

const form = document.getElementById('appeal-form');
const kindField = document.getElementById('appeal-kind');
const valueField = document.getElementById('appeal-value');
const nameField = document.getElementById('appeal-name');
const contactField = document.getElementById('appeal-contact');
const statementField = document.getElementById('appeal-statement');
const evidenceField = document.getElementById('appeal-evidence');
const ownerSinceField = document.getElementById('appeal-owner-since');
const files = filePicker({
  input: document.getElementById('appeal-files'),
  button: document.getElementById('appeal-files-choose'),
  list: document.getElementById('appeal-file-list'),
  hint: document.getElementById('appeal-files-hint'),
});
const submitButton = document.getElementById('appeal-submit');
const created = document.getElementById('appeal-created');
const alreadyOpen = document.getElementById('appeal-open');

/** What is on screen, redrawn in the other language when it changes. */
let shown = { problem: null, created: null, open: null, copied: null };
let kindChosenByPerson = false;

function prefill() {
  const params = query();
  const kind = params.get('kind');
  const value = params.get('value');
  if (value) valueField.value = value;
  if (kind && KINDS.includes(kind)) {
    kindField.value = kind;
    kindChosenByPerson = true;
  } else if (value) {
    kindField.value = guessKind(value);
  }
}

function drawHints() {
  setText(document.getElementById('appeal-value-hint'), t(`appeal.value.hint.${kindField.value}`));
}

// ── the appeal ──

/** Evidence, one item a line: a line that is a web address is a link, any other line is text. */
function evidenceItems() {
  return evidenceField.value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map((line) => (
    /^https?:\/\/\S+$/i.test(line) ? { type: 'link', url: line } : { type: 'text', text: line }));
}

function looksLikeContact(text) {
  const contact = text.normalize('NFKC').trim();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact) || /^\+?[\d\s()-]{5,}$/.test(contact);
}

/** What the page itself can tell before sending: every missing or malformed field at once. */
function checkFields() {
  const errors = {};
  const add = (field, key, vars) => { errors[field] = [{ key, vars }]; };
  if (!valueField.value.trim()) add('value', `appeal.error.value.${kindField.value}`);
  if (!nameField.value.trim()) add('name', 'appeal.error.name');
  if (!contactField.value.trim()) add('contact', 'appeal.error.contact');
  else if (!looksLikeContact(contactField.value)) add('contact', 'appeal.error.contactFormat');
  if (!statementField.value.trim()) add('statement', 'appeal.error.statement');
  const evidence = evidenceItems();
  if (evidence.length > MAX_EVIDENCE_ITEMS) add('evidence', 'appeal.error.evidenceLines', { count: MAX_EVIDENCE_ITEMS });
  else if (evidence.some((item) => (item.text || item.url).length > MAX_EVIDENCE_TEXT)) add('evidence', 'appeal.error.evidenceLong', { count: MAX_EVIDENCE_TEXT });
  return Object.keys(errors).length > 0 ? { code: 'appeal_fields', local: true, errors } : null;
}

const IDENTIFIER_CODES = new Set(KINDS.map((kind) => `invalid_${kind}`));

/**
 * A refusal in the reader's language, with the field it is about. The shared showProblem takes the alert text from
 * problemText, which falls back to the detail under a code it has no label for: hence the page's own code.
 */
function explain(problem) {
  if (problem.local) return { code: 'appeal:fields', detail: t('appeal.error.fields'), errors: problem.errors };
  const vars = { date: formatTime(problem.appealAgainAt), kind: t(`kind.${kindField.value}`) };
  if (IDENTIFIER_CODES.has(problem.code)) {
    // The identifier could not be read as the kind chosen (invalid_phone, invalid_url, …).
    return {
      code: `appeal:${problem.code}`,
      detail: t('appeal.problem.invalid_value', vars),
      errors: { value: [t(`appeal.error.invalid.${kindField.value}`)] },
    };
  }
  const key = `appeal.problem.${problem.code}`;
  const text = hasLabel(key) ? t(key, vars) : problemText(problem);
  const field = FIELD_OF_CODE[problem.code];
  return { code: `appeal:${problem.code}`, detail: text, errors: field ? { [field]: [text] } : {} };
}

function drawProblem() {
  if (!shown.problem) { clearProblem(form); files.drawNote(); return; }
  const problem = shown.problem;
  showProblem(form, explain(problem));
  const alert = form.querySelector('[data-role="form-alert"]');
  if (problem.code === 'not_flagged') {
    const check = `/?${new URLSearchParams({ kind: kindField.value, value: valueField.value.trim() })}`;
    alert.append(el('p', {}, el('a', { id: 'not-flagged-check-link', href: check, i18n: 'appeal.problem.not_flagged.check' })));
  }
  if (problem.code === 'appeal_cooldown' && !problem.appealAgainAt) alert.replaceChildren(el('p', { i18n: 'appeal.problem.appeal_cooldown_undated' }));
  files.drawNote();
}

async function submit(event) {
  event.preventDefault();
  if (submitButton.disabled) return;
  shown.problem = checkFields();
  if (shown.problem) { drawProblem(); return; }
  files.forgetNote();
  clearProblem(form);

  submitButton.disabled = true;
  submitButton.textContent = t('form.sending');
  try {
    let attachments;
    try {
      attachments = await files.read();
    } catch {
      shown.problem = { code: 'file_unreadable' };
      drawProblem();
      return;
    }
    const evidence = evidenceItems();
    const body = {
      kind: kindField.value,
      value: valueField.value.trim(),
      appellant: { name: nameField.value.trim(), contact: contactField.value.trim() },
      statement: statementField.value.trim(),
      evidence,
      attachments,
      ownerSince: ownerSinceField.value || undefined,
      // The messages the appellant receives (filed, information asked, decided) are written in the page's language.
      language: language(),
    };
    const answer = await api('POST', '/v1/appeals', { body });
    if (answer.status === 201) {
      shown = { problem: null, created: answer.data, open: null, copied: null };
      showCreated();
    } else if (answer.ok) {
      shown = { problem: null, created: null, open: answer.data, copied: null };
      showAlreadyOpen();
    } else {
      shown.problem = answer.problem;
      drawProblem();
    }
  } finally {
    submitButton.disabled = false;
    submitButton.textContent = t('appeal.submit');
    keepFocus(submitButton);
  }
}

function trackHref(code) {
  return `/track?${new URLSearchParams({ code })}`;
}

function drawCreated() {
  const appeal = shown.created;
  created.replaceChildren(
    el('h2', { id: 'appeal-created-title', i18n: 'appeal.created.title' }),
    el('p', { class: 'keep-warning' }, el('strong', { i18n: 'appeal.created.writeDown' })),
    el('p', { i18n: 'appeal.created.tokenOnce' }),
    el('div', { class: 'keep-item' },
      el('span', { class: 'keep-label', id: 'tracking-code-label', i18n: 'appeal.created.code' }),
      el('span', { id: 'tracking-code', class: 'secret', text: appeal.trackingCode, attrs: { 'aria-labelledby': 'tracking-code-label tracking-code' } })),
    el('div', { class: 'keep-item' },
      el('span', { class: 'keep-label', id: 'access-token-label', i18n: 'appeal.created.token' }),
      el('span', { id: 'access-token', class: 'secret', text: appeal.accessToken, attrs: { 'aria-labelledby': 'access-token-label access-token' } }),
      el('span', { class: 'hint', id: 'access-token-hint', i18n: 'appeal.created.tokenHint' }),
      el('div', { class: 'actions copy-row' },
        el('button', { type: 'button', id: 'access-token-copy', class: 'secondary', i18n: 'appeal.created.copy', attrs: { 'aria-describedby': 'access-token-label' }, on: { click: copyToken } }),
        el('span', { id: 'access-token-copied', attrs: { role: 'status' }, text: shown.copied ? t(shown.copied) : '' }))),
    el('p', { text: t('appeal.created.due', { date: formatTime(appeal.dueBy) }) }),
    el('p', { i18n: 'appeal.created.contact' }),
    el('p', { class: 'keep-safety', i18n: 'appeal.created.neverAsk' }),
    el('p', {}, el('a', { id: 'track-link', class: 'button', href: trackHref(appeal.trackingCode), i18n: 'appeal.created.track' })),
  );
}

async function copyToken() {
  const copied = await copyText(shown.created.accessToken, document.getElementById('access-token'));
  shown.copied = copied ? 'appeal.created.copied' : 'appeal.created.copyFailed';
  document.getElementById('access-token-copied').textContent = t(shown.copied);
}

function showCreated() {
  // The track page this tab opens next finds the appeal here, so the person does not type the token again there.
  rememberAppeal(shown.created.trackingCode, shown.created.accessToken);
  drawCreated();
  // The form goes away so the appeal is not sent twice; the code and token are the one thing left to read.
  form.hidden = true;
  alreadyOpen.hidden = true;
  created.hidden = false;
  created.focus();
}

function drawAlreadyOpen() {
  const appeal = shown.open;
  alreadyOpen.replaceChildren(
    el('h2', { id: 'appeal-open-title', i18n: 'appeal.open.title' }),
    el('p', { i18n: 'appeal.open.explain' }),
    el('div', { class: 'keep-item' },
      el('span', { class: 'keep-label', id: 'open-tracking-code-label', i18n: 'appeal.created.code' }),
      el('span', { id: 'open-tracking-code', class: 'secret', text: appeal.trackingCode, attrs: { 'aria-labelledby': 'open-tracking-code-label open-tracking-code' } })),
    el('p', { text: t('appeal.open.status', { status: t(`status.${appeal.status}`), date: formatTime(appeal.dueBy) }) }),
    el('p', { i18n: 'appeal.open.token' }),
    el('p', { i18n: 'appeal.open.lostToken' }),
    el('p', {}, el('a', { id: 'open-track-link', class: 'button', href: trackHref(appeal.trackingCode), i18n: 'appeal.created.track' })),
  );
}

function showAlreadyOpen() {
  drawAlreadyOpen();
  form.hidden = true;
  created.hidden = true;
  alreadyOpen.hidden = false;
  alreadyOpen.focus();
}

prefill();
drawHints();
kindField.addEventListener('change', () => { kindChosenByPerson = true; drawHints(); });
valueField.addEventListener('input', () => {
  // Until the person picks a kind, the page guesses it from what they type, as the check page does.
  if (!kindChosenByPerson && valueField.value.trim()) {
    kindField.value = guessKind(valueField.value);
    drawHints();
  }
});
form.addEventListener('submit', submit);
onLanguageChange(() => {
  drawHints();
  files.redraw();
  if (shown.created) drawCreated();
  if (shown.open) drawAlreadyOpen();
  if (shown.problem) drawProblem();
});
