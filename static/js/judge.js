// The judge's tablet: score sheets that survive bad Wi-Fi, reloads and dead batteries.
//
// Everything the judge types is written to localStorage first:
//   drafts  — the sheet being edited, per team|part (kept until the server stores the same);
//   outbox  — sheets and nominations waiting for the server, in order, each sheet with a
//             client-made id (the server stores an id once and answers the same on a replay);
//   stored  — what the server confirmed (also refreshed from the live snapshot).
// The outbox is sent one entry at a time, retried with backoff until the server answers
// 2xx (stored) or 4xx (refused: the values stay in the draft and the reason is shown).
// The screen says "Đã lưu ✓" only when the outbox is empty.

import { connectLive } from './live.js';
import { formatNumber, toast } from './ui.js';
import { t as _t } from './i18n.js';

const data = JSON.parse(document.getElementById('judge-data').textContent);
const CID = data.contest;
const JUDGE = data.judge.key;
const STEP = Number(data.step) || 0.5;
const NS = `hoithi:${CID}:${JUDGE}:`;
const $ = (id) => document.getElementById(id);
const parts = new Map(data.parts.map((p) => [p.key, p]));
const teams = new Map(data.teams.map((t) => [t.key, t]));

// ---------------------------------------------------------------- storage

let storageOk = true;
const memory = {};
function load(name, fallback) {
  try {
    const v = localStorage.getItem(NS + name);
    return v === null ? (memory[name] ?? fallback) : JSON.parse(v);
  } catch { return memory[name] ?? fallback; }
}
function save(name, value) {
  memory[name] = value;
  try { localStorage.setItem(NS + name, JSON.stringify(value)); } catch {
    if (storageOk) toast(_t('Trình duyệt không cho lưu tạm trên máy: đừng tải lại trang khi chưa gửi xong.'), 'error');
    storageOk = false;
  }
}

function randomHex(bytes) {
  const b = new Uint8Array(bytes);
  if (globalThis.crypto?.getRandomValues) crypto.getRandomValues(b);
  else for (let i = 0; i < bytes; i++) b[i] = Math.floor(Math.random() * 256);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
// crypto.randomUUID needs a secure context (https or localhost); a LAN http page has none.
const newId = () => (globalThis.isSecureContext && globalThis.crypto?.randomUUID
  ? crypto.randomUUID() : randomHex(16));

let deviceId = null;
try { deviceId = localStorage.getItem('hoithi:device'); } catch { /* no storage */ }
if (!deviceId) {
  deviceId = `tablet-${randomHex(4)}`;
  try { localStorage.setItem('hoithi:device', deviceId); } catch { /* memory only */ }
}

const keyOf = (team, part) => `${team}|${part}`;
let drafts = load('drafts', {});      // key -> {criteria: {k: number|null}, comment}
let outbox = load('outbox', []);      // [{kind: 'sheet'|'nomination', key, body, tries}]
let stored = load('stored', {});      // key -> {id, total, criteria, comment}
let rejected = load('rejected', {});  // key -> message
let noms = load('nominations', {});   // prize -> member (confirmed)
let locks = new Set(data.locks || []);
let current = load('current', null);

for (const s of data.sheets) stored[keyOf(s.team, s.part)] = s;
for (const n of data.nominations) noms[n.prize] = n.member;
save('stored', stored);
save('nominations', noms);
if (!current || !teams.has(current.team) || !parts.has(current.part)) {
  current = { team: data.teams[0]?.key, part: data.parts[0]?.key };
}

// ---------------------------------------------------------------- numbers

const snap = (value, max) => {
  const units = Math.round(Number(value) / STEP);
  return Math.min(max, Math.max(0, Math.round(units * STEP * 1e6) / 1e6));
};
function parseTyped(text) {
  const t = String(text).trim().replace(',', '.');
  if (!/^\d*\.?\d+$/.test(t)) return null;
  return Number(t);
}
const fmt = (n) => (n === null || n === undefined ? '–' : formatNumber(n));
const sameValues = (a, b) => {
  if (!a || !b) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Number(a[k]) === Number(b[k]));
};

// ---------------------------------------------------------------- the sheet

function sheetValues(key) {
  const d = drafts[key];
  if (d) return d;
  const s = stored[key];
  if (s) return { criteria: { ...s.criteria }, comment: s.comment || '' };
  return { criteria: {}, comment: '' };
}

function setDraft(key, values) {
  drafts[key] = values;
  save('drafts', drafts);
}

function status(key) {
  if (outbox.some((e) => e.kind === 'sheet' && e.key === key)) return 'queued';
  if (rejected[key]) return 'rejected';
  const d = drafts[key], s = stored[key];
  if (d && (!s || !sameValues(d.criteria, s.criteria) || (d.comment || '') !== (s.comment || ''))) {
    if (Object.values(d.criteria).some((v) => v !== null && v !== undefined)) return 'draft';
  }
  return s ? 'stored' : 'none';
}

function renderSheet() {
  const part = parts.get(current.part);
  const team = teams.get(current.team);
  const key = keyOf(current.team, current.part);
  const values = sheetValues(key);
  const locked = locks.has(current.part);
  $('sheet-title').textContent = team.name;
  $('sheet-part').textContent = `${part.name} · ${_t('tối đa {max} điểm', { max: fmt(part.max) })}`;
  const box = $('criteria');
  box.textContent = '';
  for (const c of part.criteria) {
    const v = values.criteria[c.key];
    const row = document.createElement('div');
    row.className = 'criterion';
    row.dataset.criterion = c.key;
    row.innerHTML = `
      <div class="criterion-text">
        <div class="stepper-label"></div>
        <div class="stepper-max">${_t('tối đa {max} điểm · bước {step}', { max: fmt(c.max), step: fmt(STEP) })}</div>
        <input type="range" class="criterion-range" min="0" max="${c.max}" step="${STEP}">
      </div>
      <div class="stepper">
        <button type="button" class="stepper-btn" data-delta="-1" aria-label="${_t('Giảm {step}', { step: fmt(STEP) })}">−</button>
        <input class="stepper-value" inputmode="decimal" autocomplete="off" aria-label="">
        <button type="button" class="stepper-btn" data-delta="1" aria-label="${_t('Tăng {step}', { step: fmt(STEP) })}">+</button>
      </div>`;
    row.querySelector('.stepper-label').textContent = c.name;
    const input = row.querySelector('.stepper-value');
    input.setAttribute('aria-label', `${c.name}, ${_t('tối đa {max}', { max: fmt(c.max) })}`);
    input.value = v === null || v === undefined ? '' : formatNumber(v);
    input.placeholder = '–';
    const range = row.querySelector('.criterion-range');
    range.value = v ?? 0;
    range.classList.toggle('unset', v === null || v === undefined);
    range.setAttribute('aria-label', c.name);
    for (const el of row.querySelectorAll('button, input')) el.disabled = locked;
    box.append(row);
  }
  $('comment').value = values.comment || '';
  $('comment').disabled = locked;
  $('total-max').textContent = `/ ${fmt(part.max)}`;
  renderTotal();
  renderPicker();
  renderNominations();
  renderOverview();
  renderStageJump();
}

function renderTotal() {
  const part = parts.get(current.part);
  const key = keyOf(current.team, current.part);
  const values = sheetValues(key);
  let total = 0, missing = 0;
  for (const c of part.criteria) {
    const v = values.criteria[c.key];
    if (v === null || v === undefined) missing++; else total += Number(v);
    const row = $('criteria').querySelector(`[data-criterion="${c.key}"]`);
    if (row) {
      const [minus, plus] = row.querySelectorAll('.stepper-btn');
      if (!locks.has(current.part)) {
        minus.disabled = v === null || v === undefined || Number(v) <= 0;
        plus.disabled = v !== null && v !== undefined && Number(v) >= c.max;
      }
    }
  }
  $('total').textContent = missing === part.criteria.length ? '–' : formatNumber(Math.round(total * 1e6) / 1e6);
  const note = $('sheet-note');
  const badge = $('sheet-badge');
  const st = status(key);
  const locked = locks.has(current.part);
  const submit = $('submit');
  submit.disabled = locked;
  note.className = 'sheet-note';
  if (locked) {
    note.textContent = _t('Phần thi đã được khoá: không sửa được điểm. Cần Trưởng ban mở khoá.');
    note.classList.add('note-warn');
  } else if (rejected[key]) {
    note.textContent = _t('Máy chủ từ chối phiếu: {reason}', { reason: rejected[key] });
    note.classList.add('note-error');
  } else if (missing) {
    note.textContent = _t('Còn {n} tiêu chí chưa chấm.', { n: missing });
  } else if (st === 'queued') {
    note.textContent = _t('Phiếu đang chờ gửi — sẽ tự gửi lại khi có mạng.');
    note.classList.add('note-warn');
  } else if (st === 'draft') {
    note.textContent = _t('Đã sửa, chưa gửi: bấm "Gửi điểm".');
    note.classList.add('note-warn');
  } else if (st === 'stored') {
    note.textContent = _t('Phiếu này đã lưu trên máy chủ ✓');
    note.classList.add('note-ok');
  } else {
    note.textContent = '';
  }
  badge.hidden = st === 'none';
  badge.className = 'badge';
  const labels = { stored: ['badge-ok', _t('Đã lưu')], queued: ['badge-warn', _t('Chờ gửi')],
    draft: ['badge-warn', _t('Chưa gửi')], rejected: ['badge-missing', _t('Bị từ chối')] };
  if (labels[st]) { badge.classList.add(labels[st][0]); badge.textContent = labels[st][1]; }
}

function changeValue(criterion, value) {
  const key = keyOf(current.team, current.part);
  const part = parts.get(current.part);
  const c = part.criteria.find((x) => x.key === criterion);
  const values = sheetValues(key);
  const next = { criteria: { ...values.criteria }, comment: values.comment || '' };
  next.criteria[criterion] = value === null ? null : snap(value, Number(c.max));
  delete rejected[key];
  save('rejected', rejected);
  setDraft(key, next);
  const row = $('criteria').querySelector(`[data-criterion="${criterion}"]`);
  const v = next.criteria[criterion];
  row.querySelector('.stepper-value').value = v === null ? '' : formatNumber(v);
  row.querySelector('.stepper-value').removeAttribute('aria-invalid');
  const range = row.querySelector('.criterion-range');
  range.value = v ?? 0;
  range.classList.toggle('unset', v === null);
  renderTotal();
  renderOverview();
}

$('criteria').addEventListener('click', (e) => {
  const btn = e.target.closest('.stepper-btn');
  if (!btn || btn.disabled) return;
  const criterion = btn.closest('.criterion').dataset.criterion;
  const v = sheetValues(keyOf(current.team, current.part)).criteria[criterion];
  const delta = Number(btn.dataset.delta) * STEP;
  changeValue(criterion, v === null || v === undefined ? (delta > 0 ? STEP : 0) : Number(v) + delta);
});
$('criteria').addEventListener('input', (e) => {
  if (!e.target.classList.contains('criterion-range')) return;
  changeValue(e.target.closest('.criterion').dataset.criterion, Number(e.target.value));
});
$('criteria').addEventListener('change', (e) => {
  if (!e.target.classList.contains('stepper-value')) return;
  const criterion = e.target.closest('.criterion').dataset.criterion;
  const c = parts.get(current.part).criteria.find((x) => x.key === criterion);
  const text = e.target.value;
  if (text.trim() === '') { changeValue(criterion, null); return; }
  const n = parseTyped(text);
  if (n === null || n > Number(c.max)) {
    e.target.setAttribute('aria-invalid', 'true');
    toast(`${c.name}: ${_t('nhập số từ 0 đến {max}, bước {step}', { max: fmt(c.max), step: fmt(STEP) })}`, 'error');
    const v = sheetValues(keyOf(current.team, current.part)).criteria[criterion];
    e.target.value = v === null || v === undefined ? '' : formatNumber(v);
    return;
  }
  changeValue(criterion, n);
});
$('criteria').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && e.target.classList.contains('stepper-value')) e.target.blur();
});
$('comment').addEventListener('input', () => {
  const key = keyOf(current.team, current.part);
  const values = sheetValues(key);
  setDraft(key, { criteria: { ...values.criteria }, comment: $('comment').value });
  renderTotal();
});

$('submit').addEventListener('click', () => {
  const key = keyOf(current.team, current.part);
  const part = parts.get(current.part);
  const values = sheetValues(key);
  const missing = part.criteria.filter((c) => values.criteria[c.key] === null || values.criteria[c.key] === undefined);
  if (missing.length) {
    for (const c of missing) {
      $('criteria').querySelector(`[data-criterion="${c.key}"] .stepper-value`)?.setAttribute('aria-invalid', 'true');
    }
    toast(_t('Chưa chấm: {names}', { names: missing.map((c) => c.name).join(', ') }), 'error');
    return;
  }
  const criteria = {};
  for (const c of part.criteria) criteria[c.key] = Number(values.criteria[c.key]);
  const body = { id: newId(), team: current.team, part: current.part, criteria, comment: (values.comment || '').trim() };
  setDraft(key, { criteria, comment: body.comment });
  // A sheet still waiting for the same team and part is superseded by this one.
  outbox = outbox.filter((e) => !(e.kind === 'sheet' && e.key === key && e !== inFlight));
  outbox.push({ kind: 'sheet', key, body, tries: 0 });
  delete rejected[key];
  save('rejected', rejected);
  save('outbox', outbox);
  renderState();
  renderTotal();
  renderOverview();
  flush();
});

// ---------------------------------------------------------------- nominations

function pendingNomination(prize) {
  const e = [...outbox].reverse().find((x) => x.kind === 'nomination' && x.key === prize);
  return e ? e.body.member : null;
}

function memberName(key) {
  for (const byTeam of Object.values(data.performers)) {
    for (const [team, members] of Object.entries(byTeam)) {
      const m = members.find((x) => x.key === key);
      if (m) return `${m.name} (${teams.get(team)?.name ?? team})`;
    }
  }
  return key;
}

function renderNominations() {
  const prizes = data.prizes.filter((p) => p.part === current.part);
  const section = $('nominations');
  section.hidden = prizes.length === 0;
  const list = $('nom-list');
  list.textContent = '';
  const locked = locks.has(current.part);
  for (const prize of prizes) {
    const chosen = pendingNomination(prize.key) ?? noms[prize.key] ?? null;
    const wrap = document.createElement('div');
    wrap.className = 'nom-prize';
    const h = document.createElement('h3');
    h.textContent = prize.name;
    const now = document.createElement('p');
    now.className = 'small muted';
    const queued = pendingNomination(prize.key) !== null;
    now.textContent = chosen ? `${_t('Đề cử của tôi: {name}', { name: memberName(chosen) })}${queued ? ` — ${_t('chờ gửi')}` : ' ✓'}` : _t('Chưa đề cử ai.');
    const row = document.createElement('div');
    row.className = 'nom-members';
    const members = data.performers[prize.part]?.[current.team] ?? [];
    if (!members.length) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = _t('Đội này không có thành viên tham gia phần thi này.');
      row.append(p);
    }
    for (const m of members) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn nom-member';
      b.dataset.prize = prize.key;
      b.dataset.member = m.key;
      b.setAttribute('aria-pressed', String(chosen === m.key));
      b.disabled = locked;
      b.innerHTML = '<span class="nom-name"></span><small class="nom-pos"></small>';
      b.querySelector('.nom-name').textContent = m.name;
      b.querySelector('.nom-pos').textContent = m.position || '';
      row.append(b);
    }
    wrap.append(h, now, row);
    list.append(wrap);
  }
}

$('nom-list').addEventListener('click', (e) => {
  const b = e.target.closest('.nom-member');
  if (!b || b.disabled) return;
  const { prize, member } = b.dataset;
  const chosen = pendingNomination(prize) ?? noms[prize] ?? null;
  if (chosen === member) return;
  outbox = outbox.filter((x) => !(x.kind === 'nomination' && x.key === prize && x !== inFlight));
  outbox.push({ kind: 'nomination', key: prize, body: { prize, member }, tries: 0 });
  save('outbox', outbox);
  renderNominations();
  renderState();
  flush();
});

// ---------------------------------------------------------------- picker and overview

function renderPicker() {
  const sel = $('team-select');
  if (!sel.options.length) {
    for (const t of data.teams) sel.append(new Option(t.name, t.key));
  }
  sel.value = current.team;
  const box = $('part-buttons');
  if (!box.children.length) {
    for (const p of data.parts) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn part-btn';
      b.dataset.part = p.key;
      b.textContent = p.name;
      box.append(b);
    }
  }
  for (const b of box.children) b.setAttribute('aria-pressed', String(b.dataset.part === current.part));
}

const ICONS = { stored: '✓', queued: '⏳', draft: '✎', rejected: '✕', none: '' };
function renderOverview() {
  const table = $('overview');
  table.textContent = '';
  const head = table.createTHead().insertRow();
  head.append(Object.assign(document.createElement('th'), { textContent: _t('Đội') }));
  for (const p of data.parts) head.append(Object.assign(document.createElement('th'), { textContent: p.name }));
  const body = table.createTBody();
  for (const t of data.teams) {
    const tr = body.insertRow();
    if (t.key === current.team) tr.className = 'is-current';
    tr.append(Object.assign(document.createElement('th'), { textContent: t.name, scope: 'row' }));
    for (const p of data.parts) {
      const key = keyOf(t.key, p.key);
      const st = status(key);
      const td = tr.insertCell();
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `ov-cell ov-${st}`;
      if (t.key === current.team && p.key === current.part) b.setAttribute('aria-current', 'true');
      b.dataset.team = t.key;
      b.dataset.part = p.key;
      const total = st === 'stored' ? stored[key]?.total : null;
      b.textContent = `${ICONS[st]}${total !== null && total !== undefined ? ` ${formatNumber(total)}` : ''}` || '·';
      b.setAttribute('aria-label', `${t.name}, ${p.name}: ${{ stored: _t('đã lưu'), queued: _t('chờ gửi'), draft: _t('chưa gửi'), rejected: _t('bị từ chối'), none: _t('chưa chấm') }[st]}`);
      td.append(b);
    }
  }
}

function open(team, part, reason) {
  if (!teams.has(team) || !parts.has(part)) return;
  if (current.team === team && current.part === part) return;
  current = { team, part };
  save('current', current);
  renderSheet();
  if (reason === 'stage') toast(_t('Sân khấu: mở phiếu {team} — {part}', { team: teams.get(team).name, part: parts.get(part).name }), 'info');
}

$('team-select').addEventListener('change', (e) => open(e.target.value, current.part));
$('part-buttons').addEventListener('click', (e) => {
  const b = e.target.closest('.part-btn');
  if (b) open(current.team, b.dataset.part);
});
$('overview').addEventListener('click', (e) => {
  const b = e.target.closest('.ov-cell');
  if (b) { open(b.dataset.team, b.dataset.part); $('sheet').scrollIntoView({ behavior: 'smooth' }); }
});
const moveTeam = (delta) => {
  const keys = data.teams.map((t) => t.key);
  const i = (keys.indexOf(current.team) + delta + keys.length) % keys.length;
  open(keys[i], current.part);
};
$('prev-team').addEventListener('click', () => moveTeam(-1));
$('next-team').addEventListener('click', () => moveTeam(1));
const follow = $('follow');
follow.checked = load('follow', true);
follow.addEventListener('change', () => save('follow', follow.checked));

// ---------------------------------------------------------------- the outbox

let csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
let flushing = false;
let inFlight = null;
let retryTimer = null;
let lastError = '';

function renderState() {
  const el = $('save-state');
  const sheets = outbox.filter((e) => e.kind === 'sheet').length;
  const nominations = outbox.length - sheets;
  el.className = 'save-state';
  if (outbox.length) {
    const what = [sheets ? _t('{n} phiếu', { n: sheets }) : '', nominations ? _t('{n} đề cử', { n: nominations }) : ''].filter(Boolean).join(', ');
    el.textContent = _t('Chưa gửi: {what} — sẽ tự gửi lại', { what });
    el.classList.add('state-pending');
    if (lastError) el.title = lastError;
  } else if (Object.keys(rejected).length) {
    el.textContent = _t('Có {n} phiếu bị từ chối — xem ✕ trong bảng "Phiếu của tôi"', { n: Object.keys(rejected).length });
    el.classList.add('state-error');
  } else {
    el.textContent = _t('Đã lưu ✓');
    el.classList.add('state-ok');
    el.removeAttribute('title');
  }
  el.dataset.pending = String(outbox.length);
}

async function refreshCsrf() {
  const r = await fetch(`/c/${CID}/judge/session`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.ok) csrf = (await r.json()).csrf;
  return r.ok;
}

async function send(entry) {
  const url = entry.kind === 'sheet' ? `/api/v1/contests/${CID}/scores` : `/api/v1/contests/${CID}/nominations`;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 10_000);
  try {
    return await fetch(url, {
      method: 'POST', credentials: 'same-origin', signal: ctl.signal, cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf, 'X-Hoithi-Device': deviceId },
      body: JSON.stringify(entry.body),
    });
  } finally { clearTimeout(timer); }
}

function accepted(entry, answer) {
  if (entry.kind === 'sheet') {
    stored[entry.key] = { ...answer, criteria: entry.body.criteria, comment: entry.body.comment };
    save('stored', stored);
    const d = drafts[entry.key];
    if (d && sameValues(d.criteria, entry.body.criteria) && (d.comment || '') === (entry.body.comment || '')) {
      delete drafts[entry.key];
      save('drafts', drafts);
    }
    delete rejected[entry.key];
    save('rejected', rejected);
  } else {
    noms[entry.body.prize] = entry.body.member;
    save('nominations', noms);
  }
}

function refused(entry, error) {
  const message = error?.message || _t('Máy chủ từ chối');
  if (entry.kind === 'sheet') {
    rejected[entry.key] = message;
    save('rejected', rejected);
    if (!drafts[entry.key]) setDraft(entry.key, { criteria: entry.body.criteria, comment: entry.body.comment });
    const [team, part] = entry.key.split('|');
    toast(_t('Phiếu {team} — {part} bị từ chối: {message}', { team: teams.get(team)?.name ?? team, part: parts.get(part)?.name ?? part, message }), 'error', 8000);
  } else {
    toast(_t('Đề cử bị từ chối: {message}', { message }), 'error', 8000);
  }
}

function scheduleRetry(entry) {
  entry.tries = (entry.tries || 0) + 1;
  save('outbox', outbox);
  const delay = Math.min(30_000, 1000 * 2 ** Math.min(entry.tries - 1, 5)) * (0.75 + Math.random() / 2);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, delay);
}

async function flush() {
  if (flushing) return;
  flushing = true;
  clearTimeout(retryTimer);
  try {
    while (outbox.length) {
      const entry = outbox[0];
      inFlight = entry;
      let response;
      try {
        response = await send(entry);
      } catch (err) {
        lastError = _t('Không gửi được (mất mạng)');
        scheduleRetry(entry);
        return;
      }
      let answer = null;
      try { answer = await response.json(); } catch { /* not JSON */ }
      if (response.status === 400 && answer?.error?.code === 'csrf' && !entry.csrfRetried) {
        entry.csrfRetried = true;
        try { await refreshCsrf(); } catch { scheduleRetry(entry); return; }
        continue;
      }
      if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408)) {
        outbox = outbox.filter((e) => e !== entry);
        save('outbox', outbox);
        if (response.ok) accepted(entry, answer || {}); else refused(entry, answer?.error);
        lastError = '';
        renderState();
        renderTotal();
        renderOverview();
        renderNominations();
        continue;
      }
      lastError = _t('Máy chủ trả lời {status}', { status: response.status });
      scheduleRetry(entry);
      return;
    }
  } finally {
    inFlight = null;
    flushing = false;
    renderState();
  }
}

window.addEventListener('online', flush);
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flush(); });
setInterval(() => { if (outbox.length && !flushing) flush(); }, 15_000);
// Another tab of the same judge changed the outbox: adopt it.
window.addEventListener('storage', (e) => {
  if (!e.key?.startsWith(NS)) return;
  outbox = load('outbox', []); drafts = load('drafts', {}); stored = load('stored', {});
  rejected = load('rejected', {}); noms = load('nominations', {});
  renderSheet(); renderState();
});

// ---------------------------------------------------------------- live: follow the stage

let followed = null;   // the stage step last followed: a reconnect does not undo the judge's choice
let onStage = null;    // {team, part} while the stage is at a scoring step
function renderStageJump() {
  const b = $('stage-jump');
  const away = onStage && (onStage.team !== current.team || onStage.part !== current.part)
    && teams.has(onStage.team) && parts.has(onStage.part);
  b.hidden = !away;
  if (away) b.textContent = _t('Sân khấu đang chấm: {team} — {part} · mở phiếu', { team: teams.get(onStage.team).name, part: parts.get(onStage.part).name });
}
$('stage-jump').addEventListener('click', () => { if (onStage) open(onStage.team, onStage.part); });
function followStep(step) {
  if (step) onStage = step.kind === 'scoring' ? { team: step.team, part: step.part } : null;
  renderStageJump();
  if (!step || step.kind !== 'scoring' || !follow.checked) return;
  const id = `${step.index}|${step.team}|${step.part}`;
  if (id === followed) return;
  followed = id;
  open(step.team, step.part, 'stage');
}

function adoptServer(judging) {
  if (!judging) return;
  if (Array.isArray(judging.sheets)) {
    for (const s of judging.sheets) stored[keyOf(s.team, s.part)] = s;
    save('stored', stored);
  }
  if (Array.isArray(judging.nominations)) {
    for (const n of judging.nominations) noms[n.prize] = n.member;
    save('nominations', noms);
  }
  if (Array.isArray(judging.locks)) locks = new Set(judging.locks);
}

connectLive({
  contest: CID,
  onSnapshot: (snap) => {
    adoptServer(snap.judging);
    renderSheet();
    followStep(snap.stage?.step);
    flush();
  },
  onEvent: (name, payload) => {
    if (name === 'stage') followStep(payload?.step ?? payload?.stage?.step);
    if (name === 'sheets' && Array.isArray(payload?.locks)) {
      const before = [...locks].join();
      locks = new Set(payload.locks);
      if (before !== [...locks].join()) renderSheet();
    }
  },
  onStatus: (s) => { if (s === 'ok') flush(); },
});

renderSheet();
renderState();
flush();
