// What the single check and the message check both show of a looked-up identifier: the facts of a flagged
// entry and the next step that fits the verdict (appeal a flag, or report what is not flagged).
import { t, el, formatTime, language } from './portal.js';

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

/** The Accept-Language that asks the API for a flag's notice in the page's language. */
export function noticeLanguage() {
  return language() === 'en' ? 'en' : 'zh-CN';
}

/**
 * The notice the API gives with every flag: who listed it, why, whom to contact, how to appeal, what proof helps and
 * how long a decision takes. The labels are the page's; the words are the API's, marked with their language so a
 * screen reader reads them right, and a publisher's own reason and contact are shown as written.
 */
export function noticeView(notice, id) {
  if (!notice) return null;
  const lang = notice.language === 'en' ? 'en' : 'zh-CN';
  const said = (text) => el('span', { text, attrs: { lang } });
  const appeal = notice.appeal;
  const rows = [
    [t('notice.listedBy'), el('ul', { class: 'notice-listings' }, notice.listedBy.map((listing) => el('li', {}, listingView(listing, said))))],
    [t('notice.appeal'), el('div', {},
      appeal.portal ? el('p', {}, el('a', { href: appeal.portal, text: t('notice.appealPage') })) : null,
      el('p', {}, t('notice.appealApi'), ' ', el('code', { text: appeal.api })))],
    [t('notice.decisionTime'), said(appeal.decisionTime)],
    [t('notice.evidence'), el('ul', { class: 'notice-evidence', attrs: { lang } }, notice.evidence.map((proof) => el('li', { text: proof })))],
  ];
  return el('section', { id, class: 'flag-notice', attrs: { 'aria-labelledby': `${id}-title` } },
    el('h3', { id: `${id}-title`, text: t('notice.title') }),
    factList(rows, 'facts notice-facts'));
}

function listingView(listing, said) {
  const who = listing.agency
    ? t('notice.listing', { agency: listing.agency, reference: listing.reference, date: listing.publishedOn || formatTime(listing.listedAt) })
    : sourceText({ type: listing.source, label: listing.label });
  return [
    el('strong', { class: 'notice-who', text: who }),
    listing.title ? el('span', { class: 'notice-title', text: ` ${listing.title}` }) : null,
    el('p', { class: 'notice-reason' }, `${t('notice.reason')}: `, listing.reasonFromPublisher ? listing.reason : said(listing.reason)),
    listing.contact ? el('p', { class: 'notice-contact' }, `${t('notice.contact')}: `, listing.contact) : null,
  ];
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
