// The screens' second language. Messages in the scripts are written in Vietnamese (the source
// language, as in the templates) and passed through t(): in English the page carries a
// dictionary { vietnamese: english } as <script type="application/json" id="i18n">
// (emitted by templates/_i18n.html; not executed, so the CSP allows it); in Vietnamese the
// dictionary is empty and t() gives back its input.
//
//   t('Đã lưu ✓')                                   -> 'Saved ✓'
//   t('Đội thi thứ {n}/{total}', { n: 2, total: 7 }) -> 'Team 2 of 7'
//
// Screens import it as _t (t and tr are common local names there: teams, table rows).
// A message used by a script must be listed for its module in templates/_i18n.html (the test
// tests/integration/test_i18n_screens.py checks that every _t('…') literal is).

let dictionary = null;

function load() {
  dictionary = {};
  const el = typeof document !== 'undefined' ? document.getElementById('i18n') : null;
  if (!el) return;
  try {
    const data = JSON.parse(el.textContent || '{}');
    if (data && typeof data === 'object') dictionary = data;
  } catch {
    dictionary = {};
  }
}

/** The message in the page's language; {name} placeholders are filled from vars. */
export function t(vi, vars) {
  if (dictionary === null) load();
  const text = Object.prototype.hasOwnProperty.call(dictionary, vi) ? dictionary[vi] : vi;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** t() for a message whose English depends on where it is used (gettext's pgettext):
 *  pt('trạng thái đồng hồ', 'Tạm dừng') -> 'Paused', while t('Tạm dừng') -> 'Pause'. */
export function pt(context, vi, vars) {
  if (dictionary === null) load();
  const key = `${context}\u0004${vi}`;
  return t(Object.prototype.hasOwnProperty.call(dictionary, key) ? dictionary[key] : vi, vars);
}

/** The page's language ('vi' or 'en'), from <html lang>. */
export function lang() {
  return (typeof document !== 'undefined' && document.documentElement.lang) || 'vi';
}
