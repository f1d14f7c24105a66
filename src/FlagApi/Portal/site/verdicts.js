// What the single check and the message check both show of a looked-up identifier: the facts of a flagged
// entry and the next step that fits the verdict (appeal a flag, or report what is not flagged).
import { t, el, formatTime } from './portal.js';

/** One flagged entry: the kind of fraud, how risky, and which lists (or confirmed reports) put it there. */
export function matchFacts(match, lookup, several) {
  const rows = [];
  if (several || match.value !== lookup.canonical) rows.push([t('check.matched'), el('span', { class: 'canonical', text: match.value })]);
  rows.push([t('check.category'), t(`category.${match.category}`)]);
  rows.push([t('check.risk'), t(`risk.${match.risk}`)]);
  rows.push([t('check.sources'), el('ul', { class: 'sources' }, match.sources.map((source) => el('li', { text: sourceText(source) })))]);
  if (match.firstSeen) rows.push([t('check.firstSeen'), formatTime(match.firstSeen)]);
  return factList(rows);
}

/** Rows of [term, detail] as a definition list. */
export function factList(rows, className = 'facts match') {
  return el('dl', { class: className }, rows.flatMap(([term, detail]) => [el('dt', { text: term }), el('dd', {}, detail)]));
}

function sourceText(source) {
  if (source.type === 'list') return t('check.sourceList', { label: source.label });
  if (source.type === 'report') return t('check.sourceReport');
  return source.label;
}

/** The way out of a wrong flag: the appeal page, filled in with what was flagged. */
export function appealBox(lookup, id) {
  return el('div', { class: 'appeal-box' },
    el('a', { id, class: 'button appeal-link', href: pageLink('/appeal', lookup), text: t('check.appealLink') }),
    el('p', { class: 'hint', text: t('check.appealHint') }));
}

/** The report page, filled in with what was checked. */
export function reportBox(lookup, id) {
  return el('p', { class: 'report-box' },
    el('a', { id, class: 'button secondary report-link', href: pageLink('/report', lookup), text: t('check.reportLink') }));
}

function pageLink(path, lookup) {
  const params = new URLSearchParams({ kind: lookup.kind, value: lookup.canonical });
  return `${path}?${params}`;
}
