// The report page: what it is, what kind of fraud (or "don't know"), what happened and roughly when. A report
// never flags anything by itself; the page says so before and after sending.
import {
  startPage, t, el, keepFocus, api, problemText, markInvalid, clearProblem, showProblem, onLanguageChange,
  guessKind, query, KINDS, CATEGORIES,
} from './portal.js';

startPage();

const start = document.getElementById('report-start');
const form = document.getElementById('report-form');
const kindField = document.getElementById('report-kind');
const valueField = document.getElementById('report-value');
const valueHint = document.getElementById('report-value-hint');
const categoryGroup = document.getElementById('report-category');
const descriptionField = document.getElementById('report-description');
const occurredField = document.getElementById('report-occurred-at');
const submit = document.getElementById('report-submit');
const received = document.getElementById('report-received');
const receivedFacts = document.getElementById('report-received-facts');
const checkLink = document.getElementById('report-check-link');
const alertArea = form.querySelector('[data-role="form-alert"]');

// Where each refusal of POST /v1/reports belongs; a code not named here is shown above the form.
const FIELD_OF_CODE = {
  unknown_kind: kindField,
  missing_value: valueField,
  invalid_phone: valueField,
  invalid_url: valueField,
  invalid_domain: valueField,
  invalid_app: valueField,
  invalid_account: valueField,
  missing_description: descriptionField,
  description_too_long: descriptionField,
  invalid_description: descriptionField,
  invalid_category: categoryGroup,
  invalid_occurred_at: occurredField,
};

// What is on screen from data, so a change of language redraws it.
let fieldProblems = [];
let otherProblem = null;
let receipt = null;

drawCategories();
prefill();
showValueHint();
limitOccurredAt();

kindField.addEventListener('change', showValueHint);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});
document.getElementById('report-another').addEventListener('click', startAgain);

onLanguageChange(() => {
  if (fieldProblems.length) showFieldProblems(fieldProblems, false);
  else if (otherProblem) showProblem(form, otherProblem);
  if (receipt) drawReceipt();
});

function drawCategories() {
  const choices = [...CATEGORIES.map((c) => [c, `category.${c}`]), ['', 'report.categoryUnknown']];
  document.getElementById('report-category-choices').replaceChildren(...choices.map(([value, label]) => {
    const id = `report-category-${value || 'unknown'}`;
    return el('div', { class: 'choice' },
      el('input', { type: 'radio', name: 'category', id, value, attrs: { checked: value === '' } }),
      el('label', { attrs: { for: id }, i18n: label }));
  }));
}

function prefill() {
  const params = query();
  const value = (params.get('value') || '').trim();
  const kind = params.get('kind');
  if (KINDS.includes(kind)) kindField.value = kind;
  else if (value) kindField.value = guessKind(value);
  if (value) valueField.value = value;
}

/** The service takes times from the last year up to now; the date picker offers only those. */
function limitOccurredAt() {
  const local = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const now = new Date();
  occurredField.max = local(now);
  occurredField.min = local(new Date(now.getTime() - 364 * 24 * 3600 * 1000));
}

/** The example under the value field follows the kind chosen. */
function showValueHint() {
  valueHint.dataset.i18n = `report.hint.${kindField.value}`;
  valueHint.textContent = t(valueHint.dataset.i18n);
}

async function send() {
  clearShown();
  const kind = kindField.value;
  const value = valueField.value.trim();
  const description = descriptionField.value.trim();
  const category = form.querySelector('input[name="category"]:checked')?.value || null;

  const missing = [];
  if (!value) missing.push({ field: valueField, problem: { code: 'missing_value' } });
  if (!description) missing.push({ field: descriptionField, problem: { code: 'missing_description' } });
  let occurredAt = null;
  if (occurredField.value) {
    const when = new Date(occurredField.value);
    if (Number.isNaN(when.getTime())) missing.push({ field: occurredField, problem: { code: 'invalid_occurred_at' } });
    else occurredAt = when.toISOString();
  }
  if (missing.length) {
    showFieldProblems(missing, true);
    return;
  }

  submit.disabled = true;
  submit.dataset.i18n = 'form.sending';
  submit.textContent = t('form.sending');
  const answer = await api('POST', '/v1/reports', { body: { kind, value, category, description, occurredAt } });
  submit.disabled = false;
  submit.dataset.i18n = 'report.submit';
  submit.textContent = t('report.submit');
  keepFocus(submit);

  if (answer.ok) {
    receipt = answer.data;
    drawReceipt();
    start.hidden = true;
    received.hidden = false;
    received.focus();
    return;
  }

  const field = answer.status === 400 ? FIELD_OF_CODE[answer.problem.code] : null;
  if (field) {
    showFieldProblems([{ field, problem: answer.problem }], true);
  } else {
    otherProblem = answer.problem;
    showProblem(form, answer.problem);
  }
}

/** Each message beside its field, a short summary above the form, and focus on the first field to fix. */
function showFieldProblems(problems, moveFocus) {
  fieldProblems = problems;
  clearProblem(form);
  alertArea.hidden = false;
  alertArea.replaceChildren(el('p', { text: t('report.checkFields') }));
  for (const { field, problem } of problems) markInvalid(field, problemText(problem));
  if (moveFocus) {
    const first = problems[0].field;
    (first === categoryGroup ? categoryGroup.querySelector('input:checked') || categoryGroup.querySelector('input') : first).focus();
  }
}

function clearShown() {
  fieldProblems = [];
  otherProblem = null;
  clearProblem(form);
}

function drawReceipt() {
  const rows = [
    [t('report.receivedWhat'), el('span', { class: 'canonical', text: receipt.canonical })],
    [t('report.receivedKind'), t(`kind.${receipt.kind}`)],
    [t('report.receivedNumber'), String(receipt.id)],
  ];
  receivedFacts.replaceChildren(...rows.flatMap(([term, detail]) => [el('dt', { text: term }), el('dd', {}, detail)]));
  checkLink.href = `/?${new URLSearchParams({ kind: receipt.kind, value: receipt.canonical })}`;
}

function startAgain() {
  receipt = null;
  clearShown();
  form.reset();
  showValueHint();
  received.hidden = true;
  start.hidden = false;
  valueField.focus();
}
