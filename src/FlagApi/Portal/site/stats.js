// The public figures: how appeals are handled (issue 23, item 6: time from filing to decision per week, and the share
// decided within the promised time), from GET /v1/stats.
import { api, el, formatTime, onLanguageChange, startPage, t } from './portal.js';

startPage();

const section = document.getElementById('stats-appeals');
const problem = document.getElementById('stats-problem');
let stats = null;

function hours(value) {
  return value === null || value === undefined ? '—' : t('stats.hours', { hours: value.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 1 }) });
}

function share(week) {
  return week.withinDueByShare === null || week.withinDueByShare === undefined
    ? '—'
    : t('stats.share', { percent: Math.round(week.withinDueByShare * 100), within: week.withinDueBy, decided: week.decided });
}

function draw() {
  const appeals = stats.appeals;
  document.getElementById('stats-appeal-facts').replaceChildren(...[
    ['stats.appeals.total', String(appeals.total)],
    ['stats.appeals.open', String(appeals.open)],
    ['stats.appeals.overdue', String(appeals.overdue)],
    ['stats.appeals.decided', String(appeals.decided)],
    ['stats.appeals.median', hours(appeals.medianDecisionHours)],
  ].flatMap(([key, value]) => [el('dt', { i18n: key }), el('dd', { text: value })]));

  // Newest week first: that is the one a reader comes for.
  const weeks = [...appeals.decisionsPerWeek].reverse();
  document.querySelector('#stats-weeks tbody').replaceChildren(...weeks.map((week) => el('tr', { dataset: { week: week.week } },
    el('th', { attrs: { scope: 'row' }, text: week.week }),
    el('td', { class: 'decided', text: String(week.decided) }),
    el('td', { class: 'median', text: hours(week.medianHours) }),
    el('td', { class: 'p90', text: hours(week.p90Hours) }),
    el('td', { class: 'on-time', text: share(week) }))));
  document.getElementById('stats-generated').textContent = t('stats.generated', { date: formatTime(stats.generatedAt) });
  section.hidden = false;
}

async function load() {
  const answer = await api('GET', '/v1/stats');
  if (!answer.ok) {
    // Named by its label, so a change of language redraws it with the page's other labels (issue 26).
    problem.dataset.i18n = 'stats.unavailable';
    problem.textContent = t('stats.unavailable');
    problem.hidden = false;
    return;
  }
  stats = answer.data;
  draw();
}

onLanguageChange(() => { if (stats) draw(); });
load();
