// The reviewer console: sign in with a reviewer key (kept in this tab's sessionStorage only), work the
// appeal queue (open, ask for more, decide one or many) and the community report queue.
import {
  startPage, t, el, api, applyLabels, hasLabel, localName, onLanguageChange, problemText, showProblem, markInvalid,
  clearProblem, formatTime, setText, KINDS, CATEGORIES,
} from './portal.js';

// sessionStorage only: the key dies with the tab, is never shared with other tabs, and never enters a URL.
const KEY_STORE = 'flagapi.reviewerKey';
const APPEAL_PAGE_SIZE = 25;
const REPORT_PAGE_SIZE = 20;
const VERIFICATIONS = ['carrier_real_name', 'callback', 'in_person_id', 'platform_confirmation', 'other'];
const RISKS = ['low', 'medium', 'high'];
const OPEN = ['submitted', 'in_review', 'needs_info'];
const PREVIEWABLE = ['image/png', 'image/jpeg'];

const $ = (id) => document.getElementById(id);

const state = {
  key: null,
  appealPage: 1,
  filters: {},
  selected: new Map(), // appeal id → tracking code, kept across pages until a bulk decision
  appeal: null,
  etag: null,
  blobUrls: [],
  reportPage: 1,
};

// ── labels built from data ──

/** Text from a label with values; redrawn when the language changes (applyLabels would drop the values). */
function say(key, vars) {
  return fillLabel(el('span', { dataset: { reviewLabel: key, reviewVars: vars ? JSON.stringify(vars) : '' } }), key, vars);
}

/**
 * Puts a label with its values in node; values that are themselves labels are written { label: key }. The label's own
 * words (and values that are labels) go through setText, which marks Chinese inside English text with its lang (issue
 * 26); the other values are data (a code, an identifier, a name someone typed), shown as they are, with no lang the
 * console cannot know.
 */
function fillLabel(node, key, vars) {
  const parts = t(key).split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return words(part);
    if (!vars || !(part in vars)) return words(`{${part}}`);
    const value = vars[part];
    return value && typeof value === 'object' ? words(t(value.label)) : document.createTextNode(String(value ?? ''));
  });
  node.replaceChildren(...parts);
  return node;
}

/** A label's words, with any run in the other language marked by setText. */
function words(text) {
  const part = document.createDocumentFragment();
  setText(part, text);
  return part;
}

/** A word from the API (status, action, …) in the reader's language, or as the API said it when there is no label. */
function word(prefix, value) {
  const key = `${prefix}.${value}`;
  return hasLabel(key) ? el('span', { i18n: key }) : el('span', { text: String(value ?? '') });
}

function time(iso) {
  return el('time', { dateTime: iso, dataset: { reviewTime: '' }, text: formatTime(iso) });
}

onLanguageChange(() => {
  for (const node of document.querySelectorAll('[data-review-label]')) {
    fillLabel(node, node.dataset.reviewLabel, node.dataset.reviewVars ? JSON.parse(node.dataset.reviewVars) : undefined);
  }
  for (const node of document.querySelectorAll('[data-review-problem]')) setText(node, problemText(JSON.parse(node.dataset.reviewProblem)));
  for (const node of document.querySelectorAll('time[data-review-time]')) node.textContent = formatTime(node.dateTime);
  for (const node of document.querySelectorAll('.local-name[data-name]')) node.textContent = localName(node.dataset.name);
});

/** Shows a message in a status region; focus moves there so keyboard and screen reader users hear it. */
function announce(region, key, vars, { focus = true } = {}) {
  region.hidden = false;
  region.replaceChildren(say(key, vars));
  if (focus) region.focus();
}

function quiet(region) {
  region.hidden = true;
  region.replaceChildren();
}

/** A message in a form's alert area. */
function alertIn(form, content) {
  const alert = form.querySelector('[data-role="form-alert"]');
  alert.hidden = false;
  alert.replaceChildren(el('p', {}, content));
  alert.focus();
}

/**
 * A problem's message: the console's own words for the codes reviewers meet, else the shared ones; either is redrawn
 * in the new language when the language changes (the shared ones through data-review-problem).
 */
function problemMessage(problem) {
  const key = `review.problem.${problem.code}`;
  if (hasLabel(key)) return say(key);
  const { code, retryAfter, detail } = problem;
  const node = el('span', { dataset: { reviewProblem: JSON.stringify({ code, retryAfter, detail }) } });
  setText(node, problemText(problem));
  return node;
}

/** Marks a field invalid with message, a node redrawn on a language change (markInvalid's own text would not be). */
function markField(field, message) {
  markInvalid(field, '');
  $(`${field.id}-error`).replaceChildren(message);
}

/** Shows a problem in a form, marking the field the problem code is about. */
function showReviewProblem(form, problem, fields = {}) {
  showProblem(form, problem);
  const alert = form.querySelector('[data-role="form-alert"]');
  alert.replaceChildren(el('p', {}, problemMessage(problem)));
  const field = fields[problem.code];
  if (field) markField(field, problemMessage(problem));
  alert.focus();
}

/** Checks done before sending: each [field, label key]; marks them all and focuses the first. */
function refuse(form, invalid) {
  clearProblem(form);
  alertIn(form, say('review.form.fix'));
  for (const [field, key] of invalid) markField(field, say(key));
  const first = invalid[0][0];
  (first.matches('fieldset') ? first.querySelector('input') : first).focus();
}

async function whileBusy(button, work) {
  const key = button.dataset.i18n;
  const before = [...button.childNodes];
  const focused = document.activeElement === button;
  button.disabled = true;
  delete button.dataset.i18n;
  button.textContent = t('form.sending');
  try {
    return await work();
  } finally {
    button.disabled = false;
    if (key) {
      button.dataset.i18n = key;
      button.textContent = t(key);
    } else {
      button.replaceChildren(...before);
    }
    // A disabled button loses focus; give it back unless the work moved focus on purpose.
    if (focused && button.isConnected && (!document.activeElement || document.activeElement === document.body)) button.focus();
  }
}

/**
 * Loads another page of a queue. On the first or the last page the button just pressed is disabled, which drops focus
 * to the page's body (issue 26): focus then goes to the pager's other button, or to the queue's heading when the pager
 * is gone.
 */
async function turnPage(button, other, heading, load) {
  await load();
  const active = document.activeElement;
  if (!button.disabled || (active && active !== document.body && active !== button)) return;
  (other.disabled || other.closest('[hidden]') ? heading : other).focus();
}

function options(select, prefix, values, empty) {
  select.replaceChildren(
    ...(empty ? [el('option', { value: '', i18n: empty })] : []),
    ...values.map((value) => el('option', { value, i18n: `${prefix}.${value}` })));
}

// ── the key ──

function readKey() {
  try { return sessionStorage.getItem(KEY_STORE); } catch { return null; }
}

function storeKey(key) {
  try { sessionStorage.setItem(KEY_STORE, key); } catch { /* kept in memory for this page only */ }
}

function forgetKey() {
  try { sessionStorage.removeItem(KEY_STORE); } catch { /* nothing was stored */ }
}

/** Calls the API with the reviewer's key; a key that stopped working (revoked) signs the reviewer out. */
async function call(method, path, options = {}) {
  const result = await api(method, path, { ...options, key: state.key });
  if (result.status === 401) signOut('review.signin.expired');
  return result;
}

/** Only reviewer and admin keys may read the report queue: one call tells a reviewer key from any other. */
function checkKey(key) {
  return api('GET', '/v1/reports?pageSize=1', { key });
}

async function signIn(event) {
  event.preventDefault();
  const form = $('signin-form');
  const input = $('reviewer-key');
  clearProblem(form);
  const key = input.value.trim();
  if (!key) {
    refuse(form, [[input, 'review.signin.keyMissing']]);
    return;
  }

  const result = await whileBusy($('signin-submit'), () => checkKey(key));
  if (result.ok) {
    input.value = '';
    storeKey(key);
    enterConsole(key);
    announce($('review-status'), 'review.signin.done');
    return;
  }

  const message = result.status === 401 ? 'review.signin.wrongKey' : result.status === 403 ? 'review.signin.notReviewer' : null;
  if (!message) {
    showReviewProblem(form, result.problem);
    return;
  }

  clearProblem(form);
  markField(input, say(message));
  alertIn(form, say(message));
}

function enterConsole(key) {
  state.key = key;
  $('signin-section').hidden = true;
  $('console').hidden = false;
  showTab('appeals', { focus: false });
  showQueue();
  loadQueue();
  loadReports();
}

function signOut(message = 'review.signout.done') {
  forgetKey();
  state.key = null;
  state.selected.clear();
  state.appeal = null;
  state.etag = null;
  releaseBlobs();
  $('console').hidden = true;
  $('signin-section').hidden = false;
  for (const id of ['appeal-rows', 'report-groups', 'detail-body', 'bulk-results']) $(id).replaceChildren();
  // Nothing the last reviewer typed stays behind for the next one at this computer.
  for (const id of ['bulk-form', 'decision-form', 'request-info-form', 'queue-filters']) { $(id).reset(); clearProblem($(id)); }
  state.filters = {};
  state.appealPage = 1;
  state.reportPage = 1;
  for (const id of ['queue-status', 'report-status', 'detail-notice']) quiet($(id));
  announce($('review-status'), message, undefined, { focus: false });
  $('reviewer-key').focus();
}

// ── tabs ──

function showTab(name, { focus = true } = {}) {
  const appeals = name === 'appeals';
  $('tab-appeals').setAttribute('aria-selected', String(appeals));
  $('tab-reports').setAttribute('aria-selected', String(!appeals));
  $('tab-appeals').tabIndex = appeals ? 0 : -1;
  $('tab-reports').tabIndex = appeals ? -1 : 0;
  $('appeals-panel').hidden = !appeals;
  $('report-queue').hidden = appeals;
  if (focus) (appeals ? $('tab-appeals') : $('tab-reports')).focus();
  if (!appeals) loadReports();
}

function tabKeys(event) {
  if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
  event.preventDefault();
  const onAppeals = $('tab-appeals').getAttribute('aria-selected') === 'true';
  const name = event.key === 'Home' ? 'appeals' : event.key === 'End' ? 'reports' : onAppeals ? 'reports' : 'appeals';
  showTab(name);
}

// ── the appeal queue ──

function readFilters() {
  const filters = {};
  for (const [name, id] of [['status', 'filter-status'], ['kind', 'filter-kind'], ['category', 'filter-category'], ['listId', 'filter-list']]) {
    const value = $(id).value.trim();
    if (value) filters[name] = value;
  }
  if ($('filter-overdue').checked) filters.overdue = 'true';
  return filters;
}

async function applyFilters(event) {
  event.preventDefault();
  const form = $('queue-filters');
  clearProblem(form);
  const list = $('filter-list').value.trim();
  if (list && !/^\d+$/.test(list)) {
    refuse(form, [[$('filter-list'), 'review.filter.listInvalid']]);
    return;
  }
  state.filters = readFilters();
  state.appealPage = 1;
  await whileBusy($('filter-submit'), loadQueue);
}

function clearFilters() {
  for (const id of ['filter-status', 'filter-kind', 'filter-category', 'filter-list']) $(id).value = '';
  $('filter-overdue').checked = false;
  clearProblem($('queue-filters'));
  state.filters = {};
  state.appealPage = 1;
  loadQueue();
}

async function loadQueue() {
  const params = new URLSearchParams({ ...state.filters, page: String(state.appealPage), pageSize: String(APPEAL_PAGE_SIZE) });
  const result = await call('GET', `/v1/review/appeals?${params}`);
  if (!state.key) return;
  if (!result.ok) {
    showReviewProblem($('queue-filters'), result.problem, {
      invalid_status: $('filter-status'), unknown_kind: $('filter-kind'), invalid_category: $('filter-category'), invalid_filter: $('filter-list'),
    });
    return;
  }
  renderQueue(result.data);
}

function renderQueue(page) {
  if (page.items.length === 0 && page.page > 1) {
    // The last page emptied (decided elsewhere, or a filter narrowed it): show the last page that has appeals.
    state.appealPage = Math.max(1, Math.ceil(page.total / page.pageSize));
    loadQueue();
    return;
  }
  const rows = page.items.map(queueRow);
  $('appeal-rows').replaceChildren(...rows);
  $('queue-empty').hidden = page.items.length > 0;
  $('appeal-table').parentElement.hidden = page.items.length === 0;
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  $('queue-summary').replaceChildren(say('review.queue.summary', { total: page.total }));
  $('queue-pager').hidden = pages <= 1;
  $('queue-page').replaceChildren(say('review.pager.page', { page: page.page, pages }));
  $('queue-prev').disabled = page.page <= 1;
  $('queue-next').disabled = page.page >= pages;
  renderSelection();
  countAppealsNeedingAction();
}

/** The queue's statuses where a reviewer has to act: new ones and ones being reviewed (needs_info waits on the appellant). */
const NEEDING_ACTION = ['submitted', 'in_review'];

/**
 * The tab's badge counts the appeals a reviewer has to act on, whatever the queue below is filtered to: a count of every
 * appeal shown (decided ones too) made a quiet day look busy.
 */
async function countAppealsNeedingAction() {
  const counts = await Promise.all(NEEDING_ACTION.map((status) => call('GET', `/v1/review/appeals?${new URLSearchParams({ status, page: '1', pageSize: '1' })}`)));
  if (!state.key || counts.some((result) => !result.ok)) return;
  const total = counts.reduce((sum, result) => sum + result.data.total, 0);
  const badge = $('tab-appeals-count');
  badge.textContent = String(total);
  badge.dataset.needingAction = String(total);
}

function queueRow(appeal) {
  const code = appeal.trackingCode;
  const select = el('input', {
    type: 'checkbox', class: 'bulk-select', id: `select-${appeal.id}`, value: String(appeal.id), checked: state.selected.has(appeal.id),
    on: { change: (event) => { if (event.target.checked) state.selected.set(appeal.id, code); else state.selected.delete(appeal.id); renderSelection(); } },
  });
  return el('tr', { dataset: { appealId: String(appeal.id), status: appeal.status }, class: appeal.overdue ? 'overdue' : null },
    el('td', {}, el('label', { class: 'row-select', htmlFor: `select-${appeal.id}` }, select,
      el('span', { class: 'visually-hidden' }, say('review.queue.selectOne', { code })))),
    // The code and its open button come first, then the due time: what a phone shows before the table scrolls.
    el('td', {}, cellLabel('review.queue.colCode'), el('span', { class: 'code', text: code }), el('br'),
      el('button', { type: 'button', class: 'open-appeal secondary', on: { click: () => openAppeal(appeal.id) } },
        el('span', { i18n: 'review.queue.open' }), el('span', { class: 'visually-hidden', text: ` ${code}` }))),
    el('td', { class: 'due' }, cellLabel('review.queue.colDue'), time(appeal.dueBy), appeal.overdue ? [el('br'), el('span', { class: 'badge overdue', i18n: 'review.overdue' })] : null),
    el('td', { class: 'status' }, cellLabel('review.queue.colStatus'), word('review.status', appeal.status)),
    el('td', { class: 'subject' }, cellLabel('review.queue.colIdentifier'), word('review.kindShort', appeal.kind), el('br'), el('span', { class: 'identifier', text: appeal.value })),
    el('td', { class: 'category' }, cellLabel('review.queue.colCategory'), word('category', appeal.category)));
}

/** A column's name inside its cell, shown only where the queue is drawn as cards (a phone); screen readers have the header. */
function cellLabel(key) {
  return el('span', { class: 'cell-label', i18n: key, attrs: { 'aria-hidden': 'true' } });
}

function renderSelection() {
  const count = state.selected.size;
  $('bulk-count').replaceChildren(count ? say('review.bulk.count', { count }) : say('review.bulk.none'));
}

function showQueue() {
  releaseBlobs();
  state.appeal = null;
  state.etag = null;
  $('appeal-detail').hidden = true;
  $('appeal-queue').hidden = false;
}

// ── bulk decisions ──

async function decideMany(event) {
  event.preventDefault();
  const form = $('bulk-form');
  clearProblem(form);
  const decision = form.elements['bulk-decision'].value;
  const verification = $('bulk-verification').value;
  const reason = $('bulk-reason').value.trim();
  const note = $('bulk-note').value.trim();
  if (state.selected.size === 0) {
    alertIn(form, say('review.bulk.noneSelected'));
    return;
  }
  const invalid = [];
  if (!decision) invalid.push([$('bulk-choice'), 'review.decision.chooseDecision']);
  if (decision === 'approve' && !verification) invalid.push([$('bulk-verification'), 'review.decision.verificationRequired']);
  if (!reason) invalid.push([$('bulk-reason'), 'review.decision.reasonRequired']);
  if (invalid.length) {
    refuse(form, invalid);
    return;
  }

  const body = { appealIds: [...state.selected.keys()], decision, reason, verification: verification || undefined, note: note || undefined };
  const result = await whileBusy($('bulk-submit'), () => call('POST', '/v1/review/appeals/decisions', { body }));
  if (!state.key) return;
  if (!result.ok) {
    showReviewProblem(form, result.problem, {
      missing_reason: $('bulk-reason'), missing_verification: $('bulk-verification'), invalid_verification: $('bulk-verification'),
    });
    return;
  }

  renderBulkResults(result.data);
  state.selected.clear();
  form.reset();
  await loadQueue();
  $('bulk-results').focus();
}

function renderBulkResults(answer) {
  const items = answer.results.map((outcome) => {
    const who = el('span', { class: 'code', text: outcome.trackingCode || `#${outcome.id}` });
    let what;
    if (outcome.outcome === 'decided') what = say('review.bulk.decided', { status: { label: `review.status.${outcome.status}` } });
    else if (!outcome.status) what = say('review.bulk.skippedMissing');
    else if (!OPEN.includes(outcome.status)) what = say('review.bulk.skippedClosed', { status: { label: `review.status.${outcome.status}` } });
    else what = say('review.bulk.skippedChanged');
    return el('li', { dataset: { appealId: String(outcome.id), outcome: outcome.outcome } }, who, ': ', what);
  });
  const region = $('bulk-results');
  region.hidden = false;
  region.replaceChildren(
    el('h3', {}, say('review.bulk.resultTitle', { decided: answer.decided, skipped: answer.skipped })),
    el('ul', { class: 'plain bulk-outcomes' }, items));
}

// ── one appeal ──

async function openAppeal(id, { notice } = {}) {
  const result = await call('GET', `/v1/review/appeals/${id}`);
  if (!state.key) return false;
  if (!result.ok) {
    const region = state.appeal ? $('detail-notice') : $('queue-status');
    region.hidden = false;
    region.replaceChildren(problemMessage(result.problem));
    region.focus();
    return false;
  }

  const opening = !state.appeal || state.appeal.id !== id;
  if (opening) {
    releaseBlobs();
    for (const form of [$('decision-form'), $('request-info-form')]) { form.reset(); clearProblem(form); }
    // The appellant's "new owner since": an approval then removes only the flags older than it, unless the reviewer clears it.
    $('decision-owner-since').value = result.data.ownerSince || '';
  }
  state.appeal = result.data;
  state.etag = result.headers.get('ETag');
  renderAppeal();
  $('appeal-queue').hidden = true;
  $('appeal-detail').hidden = false;
  if (notice) announce($('detail-notice'), notice);
  else {
    quiet($('detail-notice'));
    $('detail-title').focus();
  }
  return true;
}

/** The answer of a change (assign, request-info) is the appeal as it is now, with its new ETag. */
function takeAppeal(result) {
  state.appeal = result.data;
  state.etag = result.headers.get('ETag') || state.etag;
  renderAppeal();
}

function renderAppeal() {
  const appeal = state.appeal;
  $('detail-title').replaceChildren(say('review.detail.title', { code: appeal.trackingCode }));
  $('appeal-detail').dataset.appealId = String(appeal.id);
  $('appeal-detail').dataset.status = appeal.status;
  const open = OPEN.includes(appeal.status);
  $('assign-block').hidden = appeal.status !== 'submitted';
  $('request-info-form').hidden = !['submitted', 'in_review'].includes(appeal.status);
  $('decision-form').hidden = !open;
  $('jump-to-decision').hidden = !open;
  $('detail-closed').hidden = open;

  // replaceChildren would write a null as the text "null".
  $('detail-body').replaceChildren(...[
    appealFacts(appeal),
    el('h3', { i18n: 'review.detail.statement' }),
    el('p', { class: 'statement', id: 'appeal-statement', text: appeal.statement }),
    el('h3', { i18n: 'review.detail.evidence' }),
    evidenceList(appeal.evidence),
    el('h3', { i18n: 'review.detail.attachments' }),
    attachmentList(appeal),
    appeal.decision ? decisionFacts(appeal.decision) : null,
    el('h3', { i18n: 'review.detail.events' }),
    eventList(appeal.events),
    entryRecord(appeal.entry),
  ].filter(Boolean));
}

function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([key, ...value]) => [el('dt', { i18n: key }), el('dd', {}, ...value)]));
}

function appealFacts(appeal) {
  return facts([
    ['review.detail.status', el('strong', {}, word('review.status', appeal.status))],
    ['review.detail.identifier', word('review.kindShort', appeal.kind), ': ', el('span', { class: 'identifier', text: appeal.value })],
    appeal.query && appeal.query !== appeal.value ? ['review.detail.query', el('span', { class: 'identifier', text: appeal.query })] : null,
    ['review.detail.created', time(appeal.createdAt)],
    appeal.ownerSince ? ['review.detail.ownerSince', el('span', { id: 'appeal-owner-since', text: appeal.ownerSince })] : null,
    ['review.detail.due', time(appeal.dueBy), appeal.overdue ? [' ', el('span', { class: 'badge overdue', i18n: 'review.overdue' })] : null],
    ['review.detail.assigned', appeal.assignedTo ? el('span', { text: appeal.assignedTo }) : el('span', { i18n: 'review.detail.nobody' })],
    appeal.appellant ? ['review.detail.appellant', el('span', { text: appeal.appellant.name })] : null,
    appeal.appellant ? ['review.detail.contact', el('span', { class: 'identifier', text: appeal.appellant.contact })] : null,
  ]);
}

/** The appellant's evidence, as text: a link is an address to read before following, opened apart from this page. */
function evidenceList(evidence) {
  const items = Array.isArray(evidence) ? evidence : evidence ? [{ type: 'text', text: typeof evidence === 'string' ? evidence : JSON.stringify(evidence) }] : [];
  if (items.length === 0) return el('p', { class: 'hint', i18n: 'review.detail.noEvidence' });
  return el('ul', { class: 'evidence' }, items.map((item) => {
    if (item && item.type === 'link' && safeLink(item.url)) {
      return el('li', {},
        el('a', { href: item.url, text: item.url, attrs: { rel: 'noopener noreferrer', target: '_blank', referrerpolicy: 'no-referrer' } }),
        el('span', { class: 'visually-hidden', i18n: 'review.detail.newTab' }));
    }
    return el('li', { class: 'statement', text: item?.text ?? item?.url ?? '' });
  }));
}

function safeLink(url) {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function attachmentList(appeal) {
  if (appeal.attachments.length === 0) return el('p', { class: 'hint', i18n: 'review.detail.noAttachments' });
  return el('ul', { class: 'plain attachments' }, appeal.attachments.map((file) => {
    const holder = el('div', { class: 'attachment-file' });
    const button = el('button', { type: 'button', class: 'secondary attachment-download', on: { click: () => download(appeal.id, file, button, holder) } },
      el('span', { i18n: 'review.detail.download' }), el('span', { class: 'visually-hidden', text: ` ${file.fileName}` }));
    // Files that came after the filing came with an answer of the appellant (the same moment as that message).
    const withReply = Date.parse(file.createdAt) > Date.parse(appeal.createdAt);
    return el('li', { dataset: { sent: withReply ? 'reply' : 'filing' } },
      el('span', { class: 'file-name', text: file.fileName }), ' ',
      el('span', { class: 'hint' }, say('review.detail.fileSize', { size: Math.max(1, Math.round(file.size / 1024)) })),
      withReply ? el('span', { class: 'hint file-sent' }, say('review.detail.fileWithReply'), ' ', time(file.createdAt)) : null,
      el('div', { class: 'actions' }, button), holder);
  }));
}

/** Attachments need the key, so a plain link cannot fetch them: fetch with the header, then hand the browser a blob. */
async function download(appealId, file, button, holder) {
  const response = await whileBusy(button, async () => {
    try {
      return await fetch(`/v1/review/appeals/${appealId}/attachments/${file.id}`, { headers: { 'X-Api-Key': state.key }, credentials: 'same-origin' });
    } catch {
      return null;
    }
  });
  if (!response || !response.ok) {
    holder.replaceChildren(el('p', { class: 'field-error', attrs: { role: 'alert' }, i18n: 'review.detail.downloadFailed' }));
    return;
  }
  const bytes = await response.blob();
  // Only images are shown here (an img never runs script); anything else is only ever saved, never opened in this origin.
  const image = PREVIEWABLE.includes(file.contentType);
  const url = URL.createObjectURL(new Blob([bytes], { type: image ? file.contentType : 'application/octet-stream' }));
  state.blobUrls.push(url);
  const link = el('a', { href: url, download: file.fileName, class: 'button secondary' },
    el('span', { i18n: 'review.detail.save' }), ' ', el('span', { text: file.fileName }));
  holder.replaceChildren(el('div', { class: 'actions' }, link));
  if (image) holder.append(el('img', { src: url, alt: file.fileName, class: 'attachment-preview' }));
  link.focus();
  link.click();
}

function releaseBlobs() {
  for (const url of state.blobUrls) URL.revokeObjectURL(url);
  state.blobUrls = [];
}

function decisionFacts(decision) {
  return el('div', { class: 'decision-facts' },
    el('h3', { i18n: 'review.detail.decision' }),
    facts([
      ['review.detail.outcome', el('strong', {}, word('review.status', decision.outcome))],
      ['review.detail.decidedAt', time(decision.decidedAt)],
      ['review.detail.decidedBy', el('span', { text: decision.decidedBy })],
      ['review.detail.reason', el('span', { class: 'statement', text: decision.reason })],
      decision.verification ? ['review.detail.verification', word('review.verification', decision.verification)] : null,
      decision.verificationNote ? ['review.detail.note', el('span', { class: 'statement', text: decision.verificationNote })] : null,
      decision.ownerSince ? ['review.detail.verifiedOwnerSince', el('span', { text: decision.ownerSince }),
        decision.sourcesKept > 0 ? [' ', say('review.detail.sourcesKept', { count: decision.sourcesKept })] : null] : null,
      decision.whatWouldChange ? ['review.detail.whatWouldChange', el('span', { class: 'statement', text: decision.whatWouldChange })] : null,
    ]));
}

function eventList(events) {
  return el('ol', { class: 'history events' }, events.map((event) => el('li', {},
    el('div', {}, time(event.at), ' · ', el('span', { text: event.actor }), ' · ', el('strong', {}, word('review.action', event.action))),
    el('div', { class: 'hint' }, event.fromStatus ? [word('review.status', event.fromStatus), ' → '] : null, word('review.status', event.toStatus)),
    event.publicMessage ? el('p', { class: 'statement' }, el('span', { class: 'badge', i18n: 'review.detail.public' }), ' ', el('span', { text: event.publicMessage })) : null,
    event.internalNote ? el('p', { class: 'statement internal' }, el('span', { class: 'badge internal', i18n: 'review.detail.internal' }), ' ', serverText(event.internalNote)) : null)));
}

// Texts the service writes itself, in English and in these fixed forms, into an entry's history (AppealSubmissionService,
// AppealDecisionWriter, ReportDecisionWriter) and an appeal's events (ReviewService's assignment): the console says them
// in the reader's language, with the reviewer's own words after them as they were written. Any other text is a person's.
const SERVER_TEXTS = [
  [/^Appeal (AP-[0-9A-Z]{4}-[0-9A-Z]{4}) submitted$/, (m) => say('review.serverText.appealSubmitted', { code: m[1] })],
  [/^Appeal (AP-[0-9A-Z]{4}-[0-9A-Z]{4}) approved: new owner since (\d{4}-\d{2}-\d{2}), verified by ([a-z_]+); sources older than that date removed: ([\s\S]*)$/, (m) => [
    say('review.serverText.appealApprovedNewOwner', { code: m[1], date: m[2], verification: { label: `review.verification.${m[3]}` } }), ' ',
    el('span', { class: 'their-words', text: m[4] })]],
  [/^Appeal (AP-[0-9A-Z]{4}-[0-9A-Z]{4}) (approved|rejected): ([\s\S]*)$/, (m) => [
    say(m[2] === 'approved' ? 'review.serverText.appealApproved' : 'review.serverText.appealRejected', { code: m[1] }), ' ',
    el('span', { class: 'their-words', text: m[3] })]],
  [/^Accepted from (\d+) community reports?: ([\s\S]*)$/, (m) => [
    say('review.serverText.reportsAccepted', { count: Number(m[1]) }), ' ', el('span', { class: 'their-words', text: m[2] })]],
  [/^Assigned to (.+)$/, (m) => say('review.serverText.assigned', { reviewer: m[1] })],
];

function serverText(text) {
  for (const [pattern, draw] of SERVER_TEXTS) {
    const match = pattern.exec(text);
    if (match) return draw(match);
  }
  return el('span', { text });
}

function entryRecord(entry) {
  if (!entry) return null;
  return el('section', { class: 'entry-record', id: 'entry-record', attrs: { 'aria-labelledby': 'entry-record-title' } },
    el('h3', { id: 'entry-record-title', i18n: 'review.entry.title' }),
    facts([
      ['review.entry.value', el('span', { class: 'identifier', text: entry.display || entry.value }),
        entry.display && entry.display !== entry.value ? el('span', { class: 'hint', text: ` (${entry.value})` }) : null],
      ['review.entry.kind', word('review.kindShort', entry.kind)],
      ['review.entry.category', word('category', entry.category)],
      ['review.entry.risk', word('risk', entry.risk)],
      ['review.entry.status', el('strong', {}, word('review.entryStatus', entry.status))],
      ['review.entry.firstSeen', time(entry.firstSeen)],
      ['review.entry.lastSeen', time(entry.lastSeen)],
      entry.expiresAt ? ['review.entry.expires', time(entry.expiresAt)] : null,
    ]),
    el('h4', { i18n: 'review.entry.sources' }),
    entry.sources.length === 0 ? el('p', { class: 'hint', i18n: 'review.entry.noSources' })
      : el('ul', { class: 'sources', id: 'entry-sources' }, entry.sources.map(sourceItem)),
    el('h4', { i18n: 'review.entry.history' }),
    el('ol', { class: 'history', id: 'entry-history' }, entry.history.map((change) => el('li', {},
      el('div', {}, time(change.at), ' · ', el('span', { text: change.actor }), ' · ', el('strong', {}, word('review.entryAction', change.action))),
      change.reason ? el('div', { class: 'statement' }, serverText(change.reason)) : null))));
}

function sourceItem(source) {
  const type = source.type === 'list' ? 'review.source.list' : source.type === 'report' ? 'review.source.report' : null;
  return el('li', { dataset: { sourceType: source.type }, class: source.removedAt ? 'removed' : null },
    el('div', {}, el('strong', {}, type ? el('span', { i18n: type }) : el('span', { text: source.type })), ': ', el('span', { class: 'source-label', text: source.label }),
      source.listId ? [' ', el('a', { href: `/v1/batches/${source.listId}`, target: '_blank', attrs: { rel: 'noopener noreferrer' } }, say('review.source.listLink', { id: source.listId }))] : null),
    el('div', { class: 'hint' },
      source.category ? [word('category', source.category), ' · '] : null,
      source.risk ? [say('review.source.risk', { risk: { label: `risk.${source.risk}` } }), ' · '] : null,
      say('review.source.added'), ' ', time(source.addedAt),
      source.removedAt ? [' · ', el('strong', {}, say('review.source.removed')), ' ', time(source.removedAt)] : null),
    source.note ? el('div', { class: 'statement', text: source.note }) : null);
}

// ── acting on one appeal ──

async function staleReload() {
  await openAppeal(state.appeal.id, { notice: 'review.detail.stale' });
}

async function assign() {
  const appeal = state.appeal;
  const result = await whileBusy($('assign-button'), () =>
    call('POST', `/v1/review/appeals/${appeal.id}/assign`, { body: {}, headers: state.etag ? { 'If-Match': state.etag } : {} }));
  if (!state.key) return;
  if (result.ok) {
    takeAppeal(result);
    announce($('detail-notice'), 'review.assign.done');
  } else if (result.problem.code === 'stale_appeal') {
    await staleReload();
  } else {
    announceProblem($('detail-notice'), result.problem);
  }
}

function announceProblem(region, problem) {
  region.hidden = false;
  region.replaceChildren(problemMessage(problem));
  region.focus();
}

async function requestInfo(event) {
  event.preventDefault();
  const form = $('request-info-form');
  clearProblem(form);
  const message = $('request-info-message').value.trim();
  if (!message) {
    refuse(form, [[$('request-info-message'), 'review.requestInfo.missing']]);
    return;
  }
  const appeal = state.appeal;
  const result = await whileBusy($('request-info-submit'), () =>
    call('POST', `/v1/review/appeals/${appeal.id}/request-info`, { body: { message }, headers: state.etag ? { 'If-Match': state.etag } : {} }));
  if (!state.key) return;
  if (result.ok) {
    form.reset();
    takeAppeal(result);
    announce($('detail-notice'), 'review.requestInfo.done');
  } else if (result.problem.code === 'stale_appeal') {
    await staleReload();
  } else {
    showReviewProblem(form, result.problem, { missing_message: $('request-info-message') });
  }
}

async function decide(event) {
  event.preventDefault();
  const form = $('decision-form');
  clearProblem(form);
  const decision = form.elements.decision.value;
  const verification = $('decision-verification').value;
  const reason = $('decision-reason').value.trim();
  const note = $('decision-note').value.trim();
  const ownerSince = decision === 'approve' ? $('decision-owner-since').value : '';
  const whatWouldChange = decision === 'reject' ? $('decision-what-would-change').value.trim() : '';
  const invalid = [];
  if (!decision) invalid.push([$('decision-choice'), 'review.decision.chooseDecision']);
  if (decision === 'approve' && !verification) invalid.push([$('decision-verification'), 'review.decision.verificationRequired']);
  if (!reason) invalid.push([$('decision-reason'), 'review.decision.reasonRequired']);
  if (invalid.length) {
    refuse(form, invalid);
    return;
  }

  const appeal = state.appeal;
  // Always with If-Match: the decision is about the appeal as the reviewer read it, never a later one.
  const result = await whileBusy($('decision-submit'), () => call('POST', `/v1/review/appeals/${appeal.id}/decision`, {
    body: {
      decision, reason, verification: verification || undefined, note: note || undefined,
      ownerSince: ownerSince || undefined, whatWouldChange: whatWouldChange || undefined,
    },
    headers: { 'If-Match': state.etag },
  }));
  if (!state.key) return;
  if (result.ok) {
    form.reset();
    showQueue();
    await loadQueue();
    announce($('queue-status'), decision === 'approve' ? 'review.decision.approved' : 'review.decision.rejected',
      { code: appeal.trackingCode, value: appeal.value });
    return;
  }
  if (result.problem.code === 'stale_appeal') {
    await staleReload();
    return;
  }
  if (result.problem.code === 'invalid_transition') {
    await openAppeal(appeal.id, { notice: 'review.problem.invalid_transition' });
    return;
  }
  showReviewProblem(form, result.problem, {
    invalid_decision: $('decision-choice'), missing_reason: $('decision-reason'),
    missing_verification: $('decision-verification'), invalid_verification: $('decision-verification'), invalid_parameter: $('decision-note'),
    invalid_owner_since: $('decision-owner-since'), flag_not_older_than_ownership: $('decision-owner-since'),
  });
}

// ── the report queue ──

let reportLoads = 0;

async function loadReports() {
  if (!state.key) return;
  // Only the answer to the latest request is drawn: signing in and opening the tab both load the queue.
  const load = ++reportLoads;
  const params = new URLSearchParams({ page: String(state.reportPage), pageSize: String(REPORT_PAGE_SIZE) });
  const result = await call('GET', `/v1/reports?${params}`);
  if (!state.key || load !== reportLoads) return;
  if (!result.ok) {
    announceProblem($('report-alert'), result.problem);
    return;
  }
  quiet($('report-alert'));
  renderReports(result.data);
}

function renderReports(page) {
  if (page.items.length === 0 && page.page > 1) {
    state.reportPage = Math.max(1, Math.ceil(page.total / page.pageSize));
    loadReports();
    return;
  }
  // A refresh keeps what the reviewer has chosen and typed in a group that is still there, and where the focus was.
  const drafts = new Map();
  for (const field of $('report-groups').querySelectorAll('select, textarea')) drafts.set(field.id, field.value);
  const focused = document.activeElement?.id;
  $('report-groups').replaceChildren(...page.items.map(reportGroup));
  for (const field of $('report-groups').querySelectorAll('select, textarea')) {
    if (drafts.has(field.id)) field.value = drafts.get(field.id);
  }
  if (focused && drafts.has(focused)) $(focused)?.focus();
  $('report-empty').hidden = page.items.length > 0;
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  $('report-summary').replaceChildren(say('review.reports.summary', { total: page.total }));
  $('report-pager').hidden = pages <= 1;
  $('report-page').replaceChildren(say('review.pager.page', { page: page.page, pages }));
  $('report-prev').disabled = page.page <= 1;
  $('report-next').disabled = page.page >= pages;
  $('tab-reports-count').textContent = String(page.total);
}

function reportGroup(group) {
  const id = group.reportIds[0];
  const prefix = `report-${id}`;
  const category = el('select', { id: `${prefix}-category`, dataset: { field: 'category' } });
  options(category, 'category', CATEGORIES, 'review.reports.chooseCategory');
  category.value = group.topCategory || '';
  const risk = el('select', { id: `${prefix}-risk`, dataset: { field: 'risk' } });
  options(risk, 'risk', RISKS, 'review.reports.chooseRisk');
  const reason = el('textarea', { id: `${prefix}-reason`, required: true, dataset: { field: 'reason' }, attrs: { 'aria-describedby': `${prefix}-reason-hint` } });
  const form = el('form', { class: 'report-decision', noValidate: true, on: { submit: (event) => decideReports(event, group, { form, category, risk, reason }) } },
    el('div', { class: 'alert', dataset: { role: 'form-alert' }, attrs: { role: 'alert', tabindex: '-1' }, hidden: true }),
    el('div', { class: 'field' },
      el('label', { htmlFor: category.id }, el('span', { i18n: 'review.reports.category' }), ' ', el('span', { i18n: 'review.reports.toAccept' })), category),
    el('div', { class: 'field' },
      el('label', { htmlFor: risk.id }, el('span', { i18n: 'review.reports.risk' }), ' ', el('span', { i18n: 'review.reports.toAccept' })),
      el('span', { class: 'hint', i18n: 'review.reports.riskHint' }), risk),
    el('div', { class: 'field' },
      el('label', { htmlFor: reason.id }, el('span', { i18n: 'review.reports.reason' }), ' ', el('span', { i18n: 'form.required' })),
      el('span', { class: 'hint', id: `${prefix}-reason-hint`, i18n: 'review.reports.reasonHint' }), reason),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'report-accept', value: 'accept', i18n: 'review.reports.accept' }),
      el('button', { type: 'submit', class: 'report-reject secondary', value: 'reject', i18n: 'review.reports.reject' })));

  const titleId = `${prefix}-title`;
  return el('article', { class: 'report-group', dataset: { reportId: String(id), value: group.value, kind: group.kind }, attrs: { 'aria-labelledby': titleId } },
    el('h3', { id: titleId }, word('review.kindShort', group.kind), ': ', el('span', { class: 'identifier', text: group.value })),
    el('div', { class: 'report-info' },
      group.burst ? el('p', {}, el('span', { class: 'badge overdue', i18n: 'review.reports.burst' })) : null,
      facts([
        ['review.reports.counts', say('review.reports.countsValue', { times: group.times, reporters: group.reporters, networks: group.networks })],
        ['review.reports.when', time(group.firstAt), ' – ', time(group.lastAt)],
        ['review.reports.topCategory', group.topCategory ? word('category', group.topCategory) : el('span', { i18n: 'review.reports.noCategory' })],
        group.entry ? ['review.reports.entry', word('review.entryStatus', group.entry.status), ' · ', word('category', group.entry.category), ' · ',
          say('review.source.risk', { risk: { label: `risk.${group.entry.risk}` } })] : null,
        group.protection ? ['review.reports.protection', el('strong', { class: 'local-name', dataset: { name: group.protection }, text: localName(group.protection) })] : null,
      ]),
      el('h4', { i18n: 'review.reports.descriptions' }),
      group.descriptions.length === 0 ? el('p', { class: 'hint', i18n: 'review.reports.noDescriptions' })
        : el('ul', { class: 'descriptions' }, group.descriptions.map((d) => el('li', {},
          el('div', { class: 'hint' }, time(d.at), d.category ? [' · ', word('category', d.category)] : null),
          el('div', { class: 'statement', text: d.description }))))),
    form);
}

async function decideReports(event, group, { form, category, risk, reason }) {
  event.preventDefault();
  clearProblem(form);
  const decision = event.submitter?.value === 'reject' ? 'reject' : 'accept';
  const why = reason.value.trim();
  const invalid = [];
  if (decision === 'accept' && !category.value) invalid.push([category, 'review.reports.categoryRequired']);
  if (decision === 'accept' && !risk.value) invalid.push([risk, 'review.reports.riskRequired']);
  if (!why) invalid.push([reason, 'review.reports.reasonRequired']);
  if (invalid.length) {
    refuse(form, invalid);
    return;
  }

  const body = decision === 'accept' ? { decision, category: category.value, risk: risk.value, reason: why } : { decision, reason: why };
  const result = await whileBusy(event.submitter || form.querySelector('button'), () =>
    call('POST', `/v1/reports/${group.reportIds[0]}/decision`, { body }));
  if (!state.key) return;
  if (!result.ok) {
    showReviewProblem(form, result.problem, {
      missing_category: category, invalid_category: category, missing_risk: risk, invalid_risk: risk, missing_reason: reason,
    });
    return;
  }
  await loadReports();
  announce($('report-status'), result.data.decision === 'accepted' ? 'review.reports.accepted' : 'review.reports.rejected',
    { value: result.data.value, count: result.data.reportIds.length });
}

// ── start ──

function start() {
  startPage();
  options($('filter-kind'), 'review.kindShort', KINDS, 'review.filter.anyKind');
  options($('filter-category'), 'category', CATEGORIES, 'review.filter.anyCategory');
  for (const select of document.querySelectorAll('[data-verification-select]')) {
    options(select, 'review.verification', VERIFICATIONS, 'review.decision.chooseVerification');
  }
  applyLabels($('main'));

  $('signin-form').addEventListener('submit', signIn);
  $('signout-button').addEventListener('click', () => signOut());
  $('tab-appeals').addEventListener('click', () => showTab('appeals'));
  $('tab-reports').addEventListener('click', () => showTab('reports'));
  for (const tab of [$('tab-appeals'), $('tab-reports')]) tab.addEventListener('keydown', tabKeys);
  $('queue-filters').addEventListener('submit', applyFilters);
  $('filter-clear').addEventListener('click', clearFilters);
  $('queue-prev').addEventListener('click', () => { state.appealPage -= 1; turnPage($('queue-prev'), $('queue-next'), $('appeal-queue-title'), loadQueue); });
  $('queue-next').addEventListener('click', () => { state.appealPage += 1; turnPage($('queue-next'), $('queue-prev'), $('appeal-queue-title'), loadQueue); });
  $('report-prev').addEventListener('click', () => { state.reportPage -= 1; turnPage($('report-prev'), $('report-next'), $('report-queue-title'), loadReports); });
  $('report-next').addEventListener('click', () => { state.reportPage += 1; turnPage($('report-next'), $('report-prev'), $('report-queue-title'), loadReports); });
  $('bulk-form').addEventListener('submit', decideMany);
  $('back-to-queue').addEventListener('click', async () => {
    const id = state.appeal?.id;
    showQueue();
    await loadQueue();
    const button = document.querySelector(`tr[data-appeal-id="${id}"] .open-appeal`);
    (button || $('appeal-queue-title')).focus();
  });
  $('assign-button').addEventListener('click', assign);
  $('request-info-form').addEventListener('submit', requestInfo);
  $('decision-form').addEventListener('submit', decide);
  renderSelection();
  // The filters fold away on a phone, where they would push the queue off the first screen.
  $('filter-box').open = window.matchMedia('(min-width: 40rem)').matches;
  $('jump-to-decision').addEventListener('click', (event) => {
    event.preventDefault();
    $('decision-title').scrollIntoView();
    $('decision-title').focus();
  });

  const key = readKey();
  if (key) resume(key);
  else $('signin-section').hidden = false;
}

/** A reload of the tab keeps the reviewer signed in, if the key still works. */
async function resume(key) {
  $('signin-section').hidden = true;
  const result = await checkKey(key);
  if (result.ok) {
    enterConsole(key);
    return;
  }
  if (result.status === 401 || result.status === 403) {
    forgetKey();
    announce($('review-status'), 'review.signin.expired', undefined, { focus: false });
  } else {
    // The server is unreachable for now: keep the key, and say so.
    $('review-status').hidden = false;
    $('review-status').replaceChildren(problemMessage(result.problem));
  }
  $('signin-section').hidden = false;
}

start();
