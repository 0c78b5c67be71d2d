// The verify page: recompute each revealed seal's commitment in the browser (CONTRACT §5)
// and say whether it matches the one published before the contest.
//
//   commitment = sha256_hex(utf8(json.dumps({"lots": {str(n): key}, "salt": salt},
//                sort_keys=True, separators=(",", ":"), ensure_ascii=False)))

import { sha256Hex } from './sha256.js';
import { t as _t } from './i18n.js';

/** Python's json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
 *  for strings, numbers, booleans, null, arrays and objects. Object keys are sorted by code
 *  point, as Python sorts them (so "10" before "2"); strings are escaped as Python does
 *  (JSON.stringify escapes the same characters: quote, backslash, control characters). */
export function canonicalJson(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort((a, b) => {
    const x = Array.from(a, (ch) => ch.codePointAt(0));
    const y = Array.from(b, (ch) => ch.codePointAt(0));
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  });
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** The commitment of `lots` ({number: key}) under `salt`. */
export function computeCommitment(lots, salt) {
  const normal = {};
  Object.entries(lots).forEach(([n, key]) => { normal[String(n)] = key; });
  return sha256Hex(canonicalJson({ lots: normal, salt }));
}

function show(el, ok, computed, published) {
  el.hidden = false;
  el.dataset.state = ok ? 'match' : 'mismatch';
  el.replaceChildren();
  const head = document.createElement('strong');
  head.textContent = ok ? `✓ ${_t('Khớp: không lá thăm nào bị thay đổi')}` : `✕ ${_t('Không khớp: dữ liệu công bố không đúng với mã cam kết')}`;
  const detail = document.createElement('div');
  detail.className = 'small';
  detail.append(`${_t('Mã tính lại:')} `);
  const code = document.createElement('code');
  code.textContent = computed;
  detail.append(code);
  if (!ok && published) detail.append(` — ${_t('mã đã công bố: {code}', { code: published })}`);
  el.append(head, detail);
}

function fail(el, message) {
  el.hidden = false;
  el.dataset.state = 'error';
  el.textContent = message;
}

document.querySelectorAll('.verify-card').forEach((card) => {
  const data = JSON.parse(card.querySelector('.verify-data')?.textContent || '{}');
  const result = card.querySelector('.verify-result');
  if (!result || !data.lots || !data.salt) return;
  const computed = computeCommitment(data.lots, data.salt);
  show(result, computed === String(data.commitment).trim().toLowerCase(), computed, data.commitment);
});

const form = document.getElementById('manual-verify');
form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const result = document.getElementById('manual-result');
  const published = form.commitment.value.trim().toLowerCase();
  const salt = form.salt.value.trim();
  let lots;
  try {
    lots = JSON.parse(form.lots.value);
  } catch (e) {
    fail(result, _t('Nội dung lá thăm không phải JSON hợp lệ: {error}', { error: e.message }));
    return;
  }
  if (lots && typeof lots === 'object' && lots.lots && lots.salt && !Array.isArray(lots)) {
    lots = lots.lots;     // a whole reveal {"salt", "lots"} pasted in
  }
  if (!lots || typeof lots !== 'object' || Array.isArray(lots)) {
    fail(result, _t('Nội dung lá thăm phải có dạng {example}', { example: '{"1": "q3", "2": "q7", …}' }));
    return;
  }
  if (!/^[0-9a-f]{64}$/.test(published)) {
    fail(result, _t('Mã cam kết phải gồm 64 ký tự 0-9, a-f'));
    return;
  }
  const computed = computeCommitment(lots, salt);
  show(result, computed === published, computed, published);
});
