// The MC's console: the programme on the left, what the projector shows now and what comes
// next in the centre, the controls on the right. Keyboard first:
//   Space start / pause / resume · → next · ← previous · + add 30 s · R reset · A auto-advance
// Every press sends the stage version this screen saw, so a double tap or a stale screen is
// refused (409) instead of skipping a step; the console then shows the fresh state.
import { connectLive, countdown } from './live.js';
import { confirmAction, toast } from './ui.js';
import { setText, h, fill, show, choiceItems, renderQuestion } from './show-common.js';
import { t as _t, pt } from './i18n.js';

const root = document.getElementById('show');
const api = root.dataset.api;
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
const stepsEl = document.getElementById('mc-steps');
const timerEl = document.getElementById('mc-timer');
const msg = document.getElementById('mc-msg');
const TIMER_STATES = { stopped: pt('trạng thái đồng hồ', 'Chưa bắt đầu'), running: pt('trạng thái đồng hồ', 'Đang chạy'),
  paused: pt('trạng thái đồng hồ', 'Tạm dừng') };
const TOGGLE = { stopped: _t('Bắt đầu giờ'), running: _t('Tạm dừng'), paused: _t('Tiếp tục') };

let view = null;
let steps = [];          // [{index, kind, title, team, team_name, seconds, ...}]
let stepsKey = root.dataset.stepsKey;
let live = null;

function say(text, kind = 'warn') {
  msg.textContent = text || '';
  msg.dataset.kind = kind;
  if (text) toast(text, kind === 'error' ? 'error' : 'info');
}

// ---- rendering -----------------------------------------------------------------------------

function renderSteps(list) {
  steps = list;
  fill(stepsEl, list.map((s) => h('li', { class: `k-${s.kind}`, 'data-index': String(s.index) },
    h('button', { type: 'button' },
      h('span', { class: 'step-n' }, String(s.index + 1)),
      h('span', {}, s.kind === 'team' ? s.team_name || s.title : s.title),
      s.seconds ? h('span', { class: 'step-time' }, `${Math.floor(s.seconds / 60)}:${String(s.seconds % 60).padStart(2, '0')}`) : null))));
}

function markCurrent(index) {
  for (const li of stepsEl.children) {
    const i = Number(li.dataset.index);
    li.classList.toggle('is-done', i < index);
    if (i === index) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  }
  const cur = stepsEl.querySelector('[aria-current]');
  if (cur) {
    const top = cur.offsetTop - stepsEl.offsetTop - stepsEl.clientHeight / 3;
    stepsEl.scrollTo({ top: Math.max(0, top) });
  }
}

function render(next) {
  if (!next || (view && next.version < view.version && next.steps_key === view.steps_key)) return;
  view = next;
  root.dataset.version = String(view.version);
  const s = view.step;
  if (view.steps_list) { renderSteps(view.steps_list); stepsKey = view.steps_key; }
  else if (view.steps_key !== stepsKey) refresh();
  markCurrent(s.index);

  setText(document, 'kicker', `${_t('Màn chiếu: {name}', { name: s.programme_name || '' })}${s.kind !== 'programme' ? ` · ${s.title}` : ''}`);
  setText(document, 'headline', view.headline);
  setText(document, 'subline', view.subline);
  setText(document, 'cue', view.cue);
  setText(document, 'next_title', view.next ? view.next.title : _t('Hết chương trình'));
  setText(document, 'next_cue', view.next_cue);

  const t = view.timer;
  show(document.getElementById('mc-timer-box'), !!t);
  if (t) countdown(timerEl, t, live?.clock);
  setText(document, 'timer_state', t ? TIMER_STATES[t.state] : '');
  setText(document, 'toggle_label', t ? TOGGLE[t.state] : _t('Không có giờ'));
  document.getElementById('b-toggle').disabled = !t;
  document.getElementById('b-extend').disabled = !t;
  document.getElementById('b-reset').disabled = !t;
  document.getElementById('b-prev').disabled = s.index === 0;
  document.getElementById('b-next').disabled = !view.next;
  document.getElementById('b-auto').checked = !!view.auto_advance;

  renderQuestion(document.getElementById('mc-question'), view.question);
  const a = view.award;
  const ab = document.getElementById('mc-award');
  show(ab, !!a);
  if (a) {
    setText(ab, 'award_kind', a.kind_name);
    setText(ab, 'award_prize', a.prize_name);
    setText(ab, 'award_winner', a.winner || a.text);
    setText(ab, 'award_detail', [a.detail, a.amount_text].filter(Boolean).join(' · '));
  }
  for (const b of document.querySelectorAll('[data-mode]')) {
    b.setAttribute('aria-pressed', String(b.dataset.mode === view.results_mode));
  }
  const over = view.overtime || [];
  show(document.getElementById('mc-over-panel'), over.length > 0);
  fill(document.getElementById('mc-over'), over.map((r) => h('li', {},
    `${r.team_name} · ${r.part_name} (${r.phase_name}): ${_t('+{n} giây', { n: r.seconds })}${r.penalty_text ? ` ${_t('(trừ {points} điểm)', { points: r.penalty_text })}` : ''}`)));
  const draw = document.getElementById('mc-draw');
  const drawing = view.screen === 'draw';
  if (drawing && draw.hidden) loadLots();
  show(draw, drawing);
}

// ---- talking to the server -----------------------------------------------------------------

async function refresh() {
  const r = await fetch(`${api}/stage?steps=1`, { headers: { Accept: 'application/json' } });
  if (r.ok) render(await r.json());
}

async function post(path, body) {
  const r = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await r.json(); } catch { /* not JSON */ }
  return { ok: r.ok, status: r.status, data };
}

async function act(action, extra = {}) {
  if (!view) return;
  const { ok, status, data } = await post('/stage', { action, version: view.version, ...extra });
  if (ok) { say(''); render(data); return; }
  if (status === 409) {
    say(_t('Màn hình vừa thay đổi (bấm hai lần, hoặc máy khác vừa bấm) — đã cập nhật; hãy xem lại rồi bấm lại nếu cần.'));
    refresh();
  } else {
    say(data?.error?.message || _t('Không thực hiện được (lỗi {status})', { status }), 'error');
  }
}

// ---- the controls ----------------------------------------------------------------------------

function toggleTimer() {
  const t = view?.timer;
  if (!t) { say(_t('Bước này không có đồng hồ bấm giờ.')); return; }
  act(t.state === 'running' ? 'pause' : t.state === 'paused' ? 'resume' : 'start');
}

/** Going back to an earlier team (or out of the ceremony) asks once. */
async function goTo(index) {
  if (!view || index === view.step.index || index < 0) return;
  const cur = view.step;
  const target = steps[index];
  if (index < cur.index && target && (target.team || null) !== (cur.team || null)) {
    const ok = await confirmAction(_t('Quay lại “{name}”{team}? Màn chiếu và điện thoại sẽ chuyển theo.', {
      name: target.kind === 'team' ? target.team_name : target.title,
      team: target.team_name && target.kind !== 'team' ? ` (${target.team_name})` : '' }),
      { confirmLabel: _t('Quay lại') });
    if (!ok) return;
  }
  if (index === cur.index + 1) act('next');
  else if (index === cur.index - 1) act('previous');
  else act('jump', { step: index });
}

async function reset() {
  if (!view?.timer) return;
  if (await confirmAction(_t('Đặt lại đồng hồ về thời gian ban đầu? Thời gian đã chạy và phần cộng thêm sẽ mất.'), { confirmLabel: _t('Đặt lại') })) act('reset');
}

async function setMode(mode) {
  if (!view || mode === view.results_mode) return;
  if (mode !== 'hidden') {
    const text = mode === 'live' ? _t('Công khai bảng điểm trực tiếp cho khán giả và màn chiếu?')
      : _t('Chốt bảng điểm hiện tại và công khai bản đã chốt cho khán giả?');
    if (!(await confirmAction(text, { confirmLabel: _t('Công khai') }))) return;
  }
  act('results', { mode });
}

document.getElementById('b-toggle').addEventListener('click', toggleTimer);
document.getElementById('b-next').addEventListener('click', () => view && goTo(view.step.index + 1));
document.getElementById('b-prev').addEventListener('click', () => view && goTo(view.step.index - 1));
document.getElementById('b-extend').addEventListener('click', () => act('extend', { seconds: 30 }));
document.getElementById('b-reset').addEventListener('click', reset);
document.getElementById('b-auto').addEventListener('change', (e) => act('auto_advance', { auto_advance: e.target.checked }));
for (const b of document.querySelectorAll('[data-mode]')) b.addEventListener('click', () => setMode(b.dataset.mode));
stepsEl.addEventListener('click', (e) => {
  const li = e.target.closest('li[data-index]');
  if (li) goTo(Number(li.dataset.index));
});

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.target.closest?.('input, textarea, select, dialog')) return;
  const k = e.key;
  if (k === ' ' || k === 'Spacebar') { e.preventDefault(); toggleTimer(); }
  else if (k === 'ArrowRight' || k === 'PageDown') { e.preventDefault(); if (view) goTo(view.step.index + 1); }
  else if (k === 'ArrowLeft' || k === 'PageUp') { e.preventDefault(); if (view) goTo(view.step.index - 1); }
  else if (k === '+' || k === '=' || k === 'Add') { e.preventDefault(); act('extend', { seconds: 30 }); }
  else if (k === 'r' || k === 'R') { e.preventDefault(); reset(); }
  else if (k === 'a' || k === 'A') { e.preventDefault(); act('auto_advance', { auto_advance: !view?.auto_advance }); }
});
// Space on a focused button would click it as well as run the shortcut: keep one.
document.addEventListener('keyup', (e) => { if (e.key === ' ' && e.target.closest?.('button')) e.preventDefault(); });
for (const b of document.querySelectorAll('button')) b.addEventListener('keydown', (e) => { if (e.key === ' ') e.preventDefault(); });

// ---- the lot draw (the question bank's endpoint) ---------------------------------------------

async function loadLots() {
  const box = document.getElementById('mc-lots');
  try {
    const r = await fetch(`${api}/draws`, { headers: { Accept: 'application/json' } });
    if (!r.ok) { fill(box, h('span', { class: 'muted small' }, _t('Chưa niêm phong lá thăm.'))); return; }
    const d = await r.json();
    const used = new Set((d.drawn || []).map((x) => x.lot));
    const free = [];
    for (let n = 1; n <= (d.lots || 0); n++) if (!used.has(n)) free.push(n);
    fill(box, free.map((n) => h('button', { type: 'button', class: 'btn', 'data-lot': String(n) }, String(n))));
  } catch { fill(box, null); }
}
document.getElementById('mc-lots').addEventListener('click', (e) => {
  const b = e.target.closest('[data-lot]');
  if (b) { document.getElementById('mc-lot').value = b.dataset.lot; document.getElementById('mc-lot').focus(); }
});
document.getElementById('mc-draw-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const lot = Number(document.getElementById('mc-lot').value);
  if (!view?.step.team || !Number.isInteger(lot) || lot < 1) { say(_t('Nhập số lá thăm đội đã bốc.')); return; }
  const { ok, status, data } = await post('/draws', { team: view.step.team, lot });
  if (!ok) { say(data?.error?.message || _t('Không bốc thăm được (lỗi {status})', { status }), 'error'); return; }
  say(_t('Đã mở lá thăm số {lot}.', { lot }), 'info');
  document.getElementById('mc-lot').value = '';
  document.activeElement?.blur?.();
  await refresh();
  loadLots();
});

// ---- live ------------------------------------------------------------------------------------

live = connectLive({
  contest: root.dataset.contest,
  onSnapshot: (snap) => render(snap.stage),
  onEvent: (name, p) => {
    if (name === 'stage' && p.staff) render(p.stage);
    else if (name === 'timer' && !p.none) countdown(timerEl, p, live.clock);
    else if (name === 'draw') refresh();
  },
});
refresh();
