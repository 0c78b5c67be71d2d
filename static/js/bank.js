// The question bank's screens (office page, review page, edit page): small enhancements on
// top of forms that work without JavaScript.
// - the question form shows the choices and the answer letter only for a multiple-choice
//   question, adds choices E..H and more follow-up rows;
// - forms with data-confirm ask once; tables sort; a rejected row's reason gets the focus.

import { bindConfirms, sortableTables } from './ui.js';
import { t as _t } from './i18n.js';

const LETTERS = 'ABCDEFGH';

function setupQuestionForm(form) {
  const kindInputs = form.querySelectorAll('input[name=kind]');
  const sync = () => {
    const kind = form.querySelector('input[name=kind]:checked')?.value || 'open';
    form.querySelectorAll('[data-kind-only]').forEach((el) => {
      const on = el.dataset.kindOnly === kind;
      el.hidden = !on;
      el.querySelectorAll('input, select, textarea').forEach((input) => { input.disabled = !on; });
    });
  };
  kindInputs.forEach((input) => input.addEventListener('change', sync));
  sync();

  const list = form.querySelector('.choice-list');
  const select = form.querySelector('select[name=answer_letter]');
  form.querySelector('.add-choice')?.addEventListener('click', (event) => {
    const n = list.querySelectorAll('.choice-row').length;
    if (n >= LETTERS.length) return;
    const letter = LETTERS[n];
    const row = list.querySelector('.choice-row').cloneNode(true);
    row.querySelector('.choice-letter').textContent = letter;
    const input = row.querySelector('input');
    input.value = '';
    input.setAttribute('aria-label', _t('Phương án {letter}', { letter }));
    list.append(row);
    if (select) select.append(new Option(letter, letter));
    if (n + 1 >= LETTERS.length) event.currentTarget.hidden = true;
    input.focus();
  });

  const followUps = form.querySelector('.follow-up-list');
  form.querySelector('.add-follow-up')?.addEventListener('click', (event) => {
    const rows = followUps.querySelectorAll('.follow-up');
    if (rows.length >= 5) return;
    const row = rows[rows.length - 1].cloneNode(true);
    row.querySelectorAll('input, textarea').forEach((el) => { el.value = ''; });
    const label = row.querySelector('label');
    label.firstChild.textContent = _t('Câu hỏi phụ {n}', { n: rows.length + 1 });
    followUps.append(row);
    if (rows.length + 1 >= 5) event.currentTarget.hidden = true;
    row.querySelector('textarea')?.focus();
  });

  // Points typed "20,5" are fine: the server reads the Vietnamese decimal comma.
  const firstError = form.querySelector('[aria-invalid="true"], .has-error input, .has-error textarea');
  firstError?.focus();
}

document.querySelectorAll('form.question-form').forEach(setupQuestionForm);

// A reject form opened by a failed submit: focus its reason.
document.querySelectorAll('details.reject[open] textarea').forEach((el) => el.focus());
document.querySelectorAll('details.reject').forEach((details) => {
  details.addEventListener('toggle', () => {
    if (details.open) details.querySelector('textarea')?.focus();
  });
});

// Show the chosen file's name next to the picker (some browsers hide it on small screens).
document.querySelectorAll('.upload-form input[type=file]').forEach((input) => {
  input.addEventListener('change', () => {
    input.closest('.form-row')?.classList.remove('has-error');
  });
});

bindConfirms(document);
sortableTables(document);
