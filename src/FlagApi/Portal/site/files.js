// Photos and PDF files a person sends with an appeal or with an answer to a reviewer: one chooser for both, so they are
// taken by the same rules the API applies to both (AppealSubmissionService.ReadAttachments).
import { el, markInvalid, t } from './portal.js';

// Appeals:MaxAttachments and Appeals:MaxAttachmentBytes of this deployment, written into the page by the service,
// so the page says them and refuses a larger file before sending; the server still checks its own.
export const MAX_FILES = deploymentLimit('flagapi-appeal-max-attachments', 5);
export const MAX_FILE_BYTES = deploymentLimit('flagapi-appeal-max-attachment-bytes', 2 * 1024 * 1024);
const FILE_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'application/pdf': 'pdf' };
const FILE_NAME = /\.(png|jpe?g|pdf)$/i;

function deploymentLimit(name, fallback) {
  const value = Number.parseInt(document.querySelector(`meta[name="${name}"]`)?.content ?? '', 10);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** A size in words; rounded up, so a file just over the limit never reads as the limit itself. */
export function sizeText(bytes) {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return t('appeal.size.mb', { n: Number.isInteger(mb) ? mb : (Math.ceil(mb * 10) / 10).toFixed(1) });
  return t('appeal.size.kb', { n: Math.max(1, Math.ceil(bytes / 1024)) });
}

function isAllowedType(file) {
  return Boolean(FILE_TYPES[file.type]) || (!file.type && FILE_NAME.test(file.name));
}

function readAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * A file chooser: the hidden file input (its button speaks the browser's language, not the page's), the button that
 * opens it, the list of files chosen with a remove button each, and the hint that says the limits. chosen holds the files
 * chosen so far (a file input forgets earlier choices when used again); a page that draws the chooser again passes the
 * same array, so the files survive the redraw.
 */
export function filePicker({ input, button, list, hint, chosen = [] }) {
  /** Why files were not added, redrawn in the other language when it changes. */
  let note = null;
  const errorId = `${input.id}-error`;

  function drawHint() {
    hint.textContent = t('appeal.files.hint', { count: MAX_FILES, size: sizeText(MAX_FILE_BYTES) });
  }

  function drawList() {
    list.replaceChildren(...chosen.map((file, index) => el('li', {},
      el('span', { class: 'file-name', text: file.name }), ' ',
      el('span', { class: 'file-size', text: `(${sizeText(file.size)})` }), ' ',
      el('button', {
        type: 'button',
        class: 'secondary small',
        text: t('appeal.files.remove'),
        attrs: { 'aria-label': t('appeal.files.removeLabel', { name: file.name }) },
        on: { click: () => { chosen.splice(index, 1); clearNote(); drawList(); button.focus(); } },
      }))));
  }

  function choose() {
    const refused = [];
    for (const file of input.files) {
      if (!isAllowedType(file)) refused.push({ key: 'appeal.files.wrongType', vars: { name: file.name } });
      else if (file.size > MAX_FILE_BYTES) refused.push({ key: 'appeal.files.tooBig', vars: { name: file.name, size: sizeText(file.size), max: sizeText(MAX_FILE_BYTES) } });
      else if (file.size === 0) refused.push({ key: 'appeal.files.empty', vars: { name: file.name } });
      else if (chosen.length >= MAX_FILES) refused.push({ key: 'appeal.files.tooMany', vars: { count: MAX_FILES } });
      else chosen.push(file);
    }
    // Cleared so that choosing the same file again (after removing it) is noticed.
    input.value = '';
    clearNote();
    if (refused.length > 0) {
      note = refused;
      drawNote();
    }
    drawList();
  }

  function drawNote() {
    if (note) markInvalid(input, note.map((n) => t(n.key, n.vars)).join(' '));
    describeButton();
  }

  /** The input is hidden, so its message is read with the button. */
  function describeButton() {
    const ids = [hint.id];
    if (document.getElementById(errorId)) ids.push(errorId);
    button.setAttribute('aria-describedby', ids.join(' '));
  }

  function clearNote() {
    note = null;
    document.getElementById(errorId)?.remove();
    input.removeAttribute('aria-invalid');
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== errorId);
    input.setAttribute('aria-describedby', described.join(' '));
    describeButton();
  }

  input.addEventListener('change', choose);
  button.addEventListener('click', () => input.click());
  drawHint();
  drawList();

  return {
    get count() { return chosen.length; },
    /** Draws the hint, the list and any note again, in the language now chosen. */
    redraw() { drawHint(); drawList(); drawNote(); },
    drawNote,
    /** Forgets why files were refused (the form is being sent again), without touching what is on screen. */
    forgetNote() { note = null; },
    /** The files as the API takes them; rejects if the browser cannot read one. */
    read() {
      return Promise.all(chosen.map(async (file) => ({ fileName: file.name, contentBase64: await readAsBase64(file) })));
    },
  };
}
