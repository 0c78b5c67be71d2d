// The organisers' setup screens: sortable tables, filters, confirmations, copy and print.
// No inline script or style (CSP): everything is bound here from data-* attributes.

import { bindConfirms, sortableTables, toast } from './ui.js';
import { t as _t } from './i18n.js';

const fold = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  .replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

/** <input class="table-filter" data-filter="TABLE_ID">: hide the rows that do not contain
 *  every typed word (accents ignored: "dak koi" finds "Đăk Kôi"). */
function bindFilters(root = document) {
  root.querySelectorAll('input.table-filter[data-filter]').forEach((input) => {
    const table = document.getElementById(input.dataset.filter);
    if (!table || !table.tBodies[0]) return;
    const rows = [...table.tBodies[0].rows];
    const texts = rows.map((r) => fold(r.textContent));
    const apply = () => {
      const words = fold(input.value).split(/\s+/).filter(Boolean);
      rows.forEach((row, i) => { row.hidden = !words.every((w) => texts[i].includes(w)); });
    };
    input.addEventListener('input', apply);
    apply();
  });
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'sr-only';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

function bindButtons(root = document) {
  root.addEventListener('click', async (e) => {
    const copy = e.target.closest('[data-copy]');
    if (copy) {
      try {
        await copyText(copy.dataset.copy);
        toast(_t('Đã chép đường dẫn'), 'success');
      } catch {
        toast(_t('Không chép được; hãy chọn và chép đường dẫn bằng tay'), 'error');
      }
      return;
    }
    if (e.target.closest('[data-print]')) window.print();
  });
}

/** Put the first field with an error in view and focus it. */
function focusFirstError() {
  const bad = document.querySelector('.has-error input, .has-error select, .has-error textarea, [aria-invalid="true"]');
  if (bad) {
    bad.scrollIntoView({ block: 'center' });
    bad.focus({ preventScroll: true });
  }
}

sortableTables();
bindConfirms();
bindFilters();
bindButtons();
focusFirstError();
