// Small UI helpers shared by the screens. No dependencies but i18n.js; Vietnamese formats.
//
//   import { confirmAction, formatNumber, formatMoney, formatDate, fitText, fitAll,
//            sortableTables, bindConfirms, toast } from '/static/js/ui.js';

import { t as _t } from './i18n.js';

const nf = new Map();
const numberFormat = (min, max) => {
  const key = `${min}:${max}`;
  if (!nf.has(key)) {
    nf.set(key, new Intl.NumberFormat('vi-VN', { minimumFractionDigits: min, maximumFractionDigits: max }));
  }
  return nf.get(key);
};

/** 1234.5 -> "1.234,5". With `decimals`, exactly that many ("85,50"); otherwise up to 2. */
export function formatNumber(n, decimals) {
  if (n === null || n === undefined || n === '' || Number.isNaN(Number(n))) return '';
  return decimals === undefined ? numberFormat(0, 2).format(n) : numberFormat(decimals, decimals).format(n);
}

/** 5000000 -> "5.000.000 đ" (whole đồng). */
export function formatMoney(n) {
  const s = formatNumber(Math.round(Number(n)), 0);
  return s && `${s} đ`;
}

/** Date | ISO string | epoch ms -> "15/09/2023" (dd/mm/yyyy). */
export function formatDate(d) {
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return '';
  const two = (n) => String(n).padStart(2, '0');
  return `${two(date.getDate())}/${two(date.getMonth() + 1)}/${date.getFullYear()}`;
}

/** "1.234,5" / "85,50" / "5.000.000 đ" -> number, or null when the text is not a number. */
export function parseNumber(text) {
  const t = String(text).replace(/[\s\u00a0]|đ|₫|%/g, '').replace(/\./g, '').replace(',', '.').replace('−', '-');
  return t !== '' && /^[-+]?\d*\.?\d+$/.test(t) ? Number(t) : null;
}

// ---- confirmation ----------------------------------------------------------------------

/**
 * Ask once before a dangerous action. Resolves true/false. Enter confirms, Escape cancels
 * (both shown on the buttons); the focus starts on "Hủy" so a stray Space (the MC's
 * start/pause key) cannot confirm.
 */
export function confirmAction(message, { confirmLabel = _t('Đồng ý'), cancelLabel = _t('Hủy'), danger = true } = {}) {
  if (typeof HTMLDialogElement === 'undefined') return Promise.resolve(window.confirm(message));
  return new Promise((resolve) => {
    const dlg = document.createElement('dialog');
    dlg.className = 'dialog';
    const p = document.createElement('p');
    p.textContent = message;
    const row = document.createElement('div');
    row.className = 'row row-end';
    const button = (label, key, className) => {
      const b = Object.assign(document.createElement('button'), { type: 'button', className });
      const k = Object.assign(document.createElement('kbd'), { textContent: key });
      b.append(label, ' ', k);
      return b;
    };
    const no = button(cancelLabel, 'Esc', 'btn btn-ghost');
    const yes = button(confirmLabel, 'Enter', `btn ${danger ? 'btn-danger' : 'btn-primary'}`);
    row.append(no, yes);
    dlg.append(p, row);
    let answer = false;
    const close = (value) => { answer = value; dlg.close(); };
    no.addEventListener('click', () => close(false));
    yes.addEventListener('click', () => close(true));
    dlg.addEventListener('keydown', (e) => {
      e.stopPropagation();                    // the screen's own shortcuts stay quiet meanwhile
      if (e.key === 'Enter') { e.preventDefault(); close(true); }
    });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(answer); });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

/** Forms and buttons with data-confirm="…" ask confirmAction(text) before they act. */
export function bindConfirms(root = document) {
  root.addEventListener('submit', async (e) => {
    const form = e.target;
    const submitter = e.submitter;
    const text = submitter?.dataset.confirm || form.dataset.confirm;
    if (!text || form.dataset.confirmed) return;
    e.preventDefault();
    if (await confirmAction(text)) {
      form.dataset.confirmed = '1';
      form.requestSubmit(submitter || undefined);
      delete form.dataset.confirmed;
    }
  });
  root.addEventListener('click', async (e) => {
    const btn = e.target.closest?.('a[data-confirm], button[data-confirm]:not([type=submit])');
    if (!btn || btn.form && btn.type === 'submit' || btn.dataset.confirmed) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (await confirmAction(btn.dataset.confirm)) {
      btn.dataset.confirmed = '1';
      btn.click();
      delete btn.dataset.confirmed;
    }
  }, true);
}

// ---- fit text (projector) -----------------------------------------------------------------

/**
 * Largest integer font-size in [minPx, maxPx] at which `el`'s content fits its box without
 * scrolling (binary search). `el` needs a definite height and width (e.g. .fit-text inside a
 * grid/flex cell). Returns the size used. Call again after changing the content.
 */
export function fitText(el, minPx = 24, maxPx = 160) {
  const fits = () => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1;
  let lo = Math.floor(minPx), hi = Math.floor(maxPx), best = lo;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    el.style.fontSize = `${mid}px`;
    if (fits()) { best = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  el.style.fontSize = `${best}px`;
  return best;
}

/** fitText() every `.fit-text` under root (data-min / data-max in px), now, once the fonts
 *  have loaded, and on every resize. Returns a function that re-fits (call after updates). */
export function fitAll(root = document) {
  const run = () => root.querySelectorAll('.fit-text').forEach((el) =>
    fitText(el, Number(el.dataset.min) || 24, Number(el.dataset.max) || 160));
  run();
  document.fonts?.ready.then(run);
  let pending = 0;
  window.addEventListener('resize', () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(run); });
  return run;
}

// ---- sortable tables -----------------------------------------------------------------------

const collator = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });

function cellKey(row, index) {
  const cell = row.cells[index];
  if (!cell) return '';
  return (cell.dataset.sortValue ?? cell.textContent).trim();
}

/** Sort `table`'s first tbody by column `index` (numbers aware, Vietnamese collation). */
export function sortTable(table, index, direction = 'ascending') {
  const body = table.tBodies[0];
  if (!body) return;
  const rows = [...body.rows];
  const keys = rows.map((r) => cellKey(r, index));
  const nums = keys.map(parseNumber);
  const numeric = keys.every((k, i) => k === '' || nums[i] !== null);
  const sign = direction === 'descending' ? -1 : 1;
  const order = rows.map((_, i) => i).sort((a, b) => {
    if ((keys[a] === '') !== (keys[b] === '')) return keys[a] === '' ? 1 : -1;   // blanks last
    const c = numeric ? nums[a] - nums[b] : collator.compare(keys[a], keys[b]);
    return c * sign || a - b;
  });
  body.append(...order.map((i) => rows[i]));
  table.querySelectorAll('thead th').forEach((th) => th.removeAttribute('aria-sort'));
  const th = table.tHead?.rows[0]?.cells[index];
  th?.setAttribute('aria-sort', direction);
}

/**
 * Make `table.table.sortable` / `table.table[data-sortable]` sortable by clicking a header
 * (a button is put inside each th for the keyboard). `th[data-nosort]` stays fixed;
 * `td[data-sort-value]` overrides the text; `th[data-sort-first="descending"]` for totals.
 */
export function sortableTables(root = document) {
  root.querySelectorAll('table.table.sortable, table.table[data-sortable]').forEach((table) => {
    const head = table.tHead?.rows[0];
    if (!head || table.dataset.sortReady) return;
    table.dataset.sortReady = '1';
    [...head.cells].forEach((th, index) => {
      if (th.hasAttribute('data-nosort')) return;
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'th-sort';
      btn.append(...th.childNodes);
      th.append(btn);
      btn.addEventListener('click', () => {
        const current = th.getAttribute('aria-sort');
        const first = th.dataset.sortFirst === 'descending' ? 'descending' : 'ascending';
        const next = current ? (current === 'ascending' ? 'descending' : 'ascending') : first;
        sortTable(table, index, next);
      });
    });
  });
}

// ---- toast ---------------------------------------------------------------------------------

/** A short message at the bottom of the screen. kind: 'info' | 'success' | 'error'. */
export function toast(message, kind = 'info', ms = 4000) {
  let box = document.querySelector('.toasts');
  if (!box) {
    box = document.createElement('div');
    box.className = 'toasts';
    box.setAttribute('aria-live', 'polite');
    document.body.append(box);
  }
  const el = document.createElement('div');
  el.className = `toast toast-${kind}`;
  if (kind === 'error') el.setAttribute('role', 'alert');
  el.textContent = message;
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? ms * 2 : ms);
  return el;
}
