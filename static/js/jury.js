// The jury head's board: the live matrix of judges × teams × parts, the standings, the ties
// to decide, the overtime penalties to confirm, and the locks.
//
// Live: the staff event `sheets` (which sheets are in; no numbers) and `standings` make the
// board fetch the matrix, prizes and penalties again (debounced: one refetch per burst).
// Every action goes to the JSON API; a 409 (another tab was quicker, or the part is
// incomplete) is shown and the board reloads its data.

import { connectLive } from './live.js';
import { confirmAction, formatMoney, formatNumber, toast } from './ui.js';
import { renderQuestion } from './show-common.js';
import { t as _t } from './i18n.js';

const boot = JSON.parse(document.getElementById('jury-data').textContent);
const CID = boot.contest;
const HEAD = boot.head;
const API = `/api/v1/contests/${CID}`;
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
};

let state = { matrix: boot.matrix, prizes: boot.prizes, penalties: boot.penalties, standings: boot.standings };
const typed = new Map();   // what the head typed in the tie and penalty forms, kept across re-renders

// ---------------------------------------------------------------- API

async function call(method, path, body) {
  const r = await fetch(`${API}${path}`, {
    method, credentials: 'same-origin', cache: 'no-store',
    headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json', 'X-CSRFToken': csrf } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try { data = await r.json(); } catch { /* empty */ }
  if (!r.ok) {
    const err = new Error(data?.error?.message || _t('Lỗi {status}', { status: r.status }));
    err.status = r.status; err.code = data?.error?.code; err.field = data?.error?.field;
    throw err;
  }
  return data;
}

let refreshTimer = null;
function refreshSoon(ms = 150) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, ms);
}
async function refresh() {
  try {
    const [matrix, prizes, penalties, standings] = await Promise.all([
      call('GET', '/sheets'), call('GET', '/prizes'), call('GET', '/penalties'), call('GET', '/standings')]);
    state = { matrix, prizes, penalties, standings };
    render();
  } catch (e) {
    if (e.status) toast(e.message, 'error');
  }
}

async function act(method, path, body, okText) {
  try {
    const answer = await call(method, path, body);
    if (okText) toast(okText, 'success');
    await refresh();
    return answer;
  } catch (e) {
    toast(e.message, 'error', 8000);
    if (e.status === 409) await refresh();
    throw e;
  }
}

// A dialog asking for a reason (required); resolves to the text or null.
function askReason(message, { label = _t('Lý do'), confirmLabel = _t('Đồng ý') } = {}) {
  return new Promise((resolve) => {
    const dlg = el('dialog', { className: 'dialog' });
    const p = el('p', { textContent: message });
    const id = `reason-${Math.random().toString(16).slice(2)}`;
    const lab = el('label', { htmlFor: id, className: 'form-label', textContent: `${label} ${_t('(bắt buộc)')}` });
    const area = el('textarea', { id, maxLength: 1000, required: true });
    const err = el('div', { className: 'field-error', hidden: true, textContent: _t('Cần ghi lý do (ít nhất 3 ký tự)') });
    const no = el('button', { type: 'button', className: 'btn btn-ghost', textContent: _t('Hủy') });
    const yes = el('button', { type: 'button', className: 'btn btn-primary', textContent: confirmLabel });
    dlg.append(p, lab, area, err, el('div', { className: 'row row-end' }, no, yes));
    let answer = null;
    no.addEventListener('click', () => dlg.close());
    yes.addEventListener('click', () => {
      if (area.value.trim().length < 3) { err.hidden = false; area.setAttribute('aria-invalid', 'true'); area.focus(); return; }
      answer = area.value.trim();
      dlg.close();
    });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(answer); });
    document.body.append(dlg);
    dlg.showModal();
    area.focus();
  });
}

// ---------------------------------------------------------------- rendering

const teamName = (key) => state.matrix.teams.find((t) => t.key === key)?.name ?? key;
const partName = (key) => state.matrix.parts.find((p) => p.key === key)?.name ?? key;
const shortName = (name) => name.trim().split(/\s+/).slice(-1)[0];
const num = (n) => (n === null || n === undefined ? '–' : formatNumber(n));

function renderSummary() {
  const m = state.matrix;
  const s = $('summary');
  s.className = `jury-summary badge ${m.complete ? 'badge-ok' : 'badge-missing'}`;
  s.textContent = m.complete ? _t('Đã đủ phiếu chấm') : _t('Còn thiếu {n} phiếu chấm', { n: m.missing });
  const lockedAll = m.parts.every((p) => m.locks[p.key]);
  $('lock-all').disabled = lockedAll;
  $('lock-all').textContent = lockedAll ? _t('Đã khoá tất cả') : _t('Khoá tất cả');
}

function renderParts() {
  const m = state.matrix;
  const box = $('parts');
  box.textContent = '';
  for (const part of m.parts) {
    const rows = m.rows.filter((r) => r.part === part.key);
    const missing = rows.reduce((n, r) => n + r.missing.length, 0);
    const lock = m.locks[part.key];
    const head = el('div', { className: 'part-card-head' },
      el('h2', { textContent: part.name }),
      el('span', { className: 'muted small', textContent: _t('tối đa {max} điểm', { max: num(part.max) }) }),
      el('span', { className: `badge ${missing ? 'badge-missing' : 'badge-ok'}`, textContent: missing ? _t('thiếu {n}', { n: missing }) : _t('đủ phiếu') }),
      lock ? el('span', { className: 'badge badge-warn', textContent: _t('Đã khoá ({by})', { by: lock.by }) }) : null,
      el('span', { className: 'spacer' }));
    if (lock) {
      const b = el('button', { type: 'button', className: 'btn', textContent: _t('Mở khoá…'), disabled: !HEAD });
      b.dataset.unlock = part.key;
      if (!HEAD) b.title = _t('Chỉ Trưởng ban giám khảo được mở khoá');
      head.append(b);
    } else {
      const b = el('button', { type: 'button', className: 'btn btn-primary', textContent: _t('Khoá phần thi') });
      b.dataset.lock = part.key;
      head.append(b);
    }
    const table = el('table', { className: 'table matrix' });
    const hr = table.createTHead().insertRow();
    hr.append(el('th', { textContent: _t('Đội') }));
    for (const j of m.judges) {
      const th = el('th', { className: 'judge-col' }, el('abbr', { title: j.name, textContent: `${shortName(j.name)}${j.head ? ' ★' : ''}` }));
      hr.append(th);
    }
    hr.append(el('th', { textContent: _t('Điểm'), title: _t('Điểm phần thi (tổng hợp các giám khảo)') }),
      el('th', { textContent: _t('Lệch'), title: _t('Chênh lệch giữa điểm cao nhất và thấp nhất') }));
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.team = r.team;
      tr.append(el('th', { scope: 'row', textContent: teamName(r.team) }));
      for (const j of m.judges) {
        const s = r.sheets[j.key];
        const td = tr.insertCell();
        td.dataset.judge = j.key;
        if (!s) {
          td.className = 'cell-missing';
          td.textContent = _t('thiếu');
          td.title = _t('{name} chưa nộp phiếu', { name: j.name });
        } else {
          td.textContent = num(s.total);
          const cls = [];
          if (s.outlier) cls.push('cell-outlier');
          if (s.source === 'paper') cls.push('cell-paper');
          td.className = cls.join(' ');
          const crit = Object.entries(s.criteria).map(([k, v]) => `${part.criteria.find((c) => c.key === k)?.name ?? k}: ${num(v)}`).join('\n');
          td.title = `${j.name}${s.outlier ? ` — ${_t('lệch nhiều, nên xem lại')}` : ''}${s.source === 'paper' ? ` — ${_t('phiếu giấy')}` : ''}\n${crit}${s.comment ? `\n«${s.comment}»` : ''}${s.revision > 1 ? `\n${_t('(đã sửa {n} lần)', { n: s.revision - 1 })}` : ''}`;
        }
      }
      tr.append(el('td', { className: 'col-score', textContent: num(r.score) }));
      const wide = r.spread !== null && r.threshold !== null && r.spread > r.threshold;
      tr.append(el('td', { className: `col-spread${wide ? ' is-wide' : ''}`, textContent: num(r.spread) }));
    }
    box.append(el('section', { className: 'card part-card' }, head, el('div', { className: 'table-wrap' }, table)));
  }
}

function renderStandings() {
  const st = state.standings;
  $('st-state').textContent = st.complete ? _t('(đủ phiếu)') : _t('(tạm thời)');
  const table = $('standings');
  table.textContent = '';
  const hr = table.createTHead().insertRow();
  hr.append(el('th', { textContent: _t('Hạng') }), el('th', { textContent: _t('Đội') }), el('th', { className: 'num', textContent: _t('Tổng') }));
  for (const p of st.parts) hr.append(el('th', { className: 'num', textContent: shortPart(p.name), title: p.name }));
  const anyPenalty = st.teams.some((t) => t.penalty);
  if (anyPenalty) hr.append(el('th', { className: 'num', textContent: _t('Trừ') }));
  const body = table.createTBody();
  for (const t of st.teams) {
    const tr = body.insertRow();
    tr.append(el('td', { className: 'rank', textContent: t.sheets ? String(t.rank) : '–' }), el('td', { className: 'team', textContent: t.unit || t.name, title: t.name }),
      el('td', { className: 'num total', textContent: t.sheets ? num(t.total) : '–' }));
    for (const p of st.parts) tr.append(el('td', { className: 'num', textContent: num(t.parts[p.key]) }));
    if (anyPenalty) tr.append(el('td', { className: 'num', textContent: t.penalty ? `−${num(t.penalty)}` : '' }));
  }
}
const shortPart = (name) => {
  const words = name.replace(/^Phần thi\s+/i, '').split(/[\s,]+/).slice(0, 2).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function tieForm(tie) {
  const saved = typed.get(`tie:${tie.key}`) || {};
  const order = saved.order && saved.order.length === tie.candidates.length ? saved.order : [...tie.candidates];
  const names = Object.fromEntries(tie.candidates.map((c, i) => [c, tie.candidate_names[i]]));
  const box = el('div', { className: 'tie' });
  box.dataset.tie = tie.key;
  const stake = tie.prize_names.map((p, i) => `${i + 1}. ${p}`).join(' · ');
  box.append(el('p', { className: 'small', textContent: `${tie.kind === 'individual' ? _t('Giải cá nhân') : tie.kind === 'special' ? _t('Giải phụ') : _t('Giải tập thể')}${tie.rank ? `, ${_t('đồng hạng {rank}', { rank: tie.rank })}` : ''} — ${_t('giải đang xét: {stake}', { stake })}` }));
  const list = el('ol', { className: 'tie-order' });
  order.forEach((c, i) => {
    const up = el('button', { type: 'button', className: 'btn', textContent: '↑', disabled: i === 0 || !HEAD, title: _t('Lên') });
    const down = el('button', { type: 'button', className: 'btn', textContent: '↓', disabled: i === order.length - 1 || !HEAD, title: _t('Xuống') });
    up.dataset.move = '-1'; down.dataset.move = '1'; up.dataset.index = down.dataset.index = String(i);
    list.append(el('li', {}, el('span', { className: 'pos', textContent: `${i + 1}.` }), el('span', { textContent: `${names[c]} → ${tie.prize_names[i]}` }), up, down));
  });
  const id = `tie-reason-${tie.key}`;
  const reason = el('textarea', { id, rows: 2, value: saved.reason || '', disabled: !HEAD });
  reason.dataset.reasonFor = tie.key;
  const submit = el('button', { type: 'button', className: 'btn btn-primary', textContent: _t('Ghi quyết định'), disabled: !HEAD });
  submit.dataset.decide = tie.key;
  box.append(list, el('div', { className: 'form-row' }, el('label', { htmlFor: id, textContent: _t('Lý do (bắt buộc)') }), reason), submit);
  box._order = order;
  return box;
}

function renderTies() {
  const box = $('ties');
  box.textContent = '';
  const ties = state.prizes.ties;
  if (!ties.length) {
    box.append(el('p', { className: 'empty', textContent: _t('Không có trường hợp đồng hạng nào cần quyết định.') }));
  }
  for (const tie of ties) box.append(tieForm(tie));
  if (state.prizes.decisions?.length) {
    box.append(el('p', { className: 'small muted', textContent: _t('Đã ghi {n} quyết định đồng hạng (xem Nhật ký).', { n: state.prizes.decisions.length }) }));
  }
}

function renderPenalties() {
  const box = $('penalties');
  box.textContent = '';
  const { overtime, penalties } = state.penalties;
  const groups = new Map();
  for (const o of overtime) {
    const k = `${o.team}|${o.part}`;
    const g = groups.get(k) || { team: o.team, part: o.part, ms: 0, suggested: 0, phases: [] };
    g.ms += o.ms; g.suggested += o.suggested; g.phases.push(o);
    groups.set(k, g);
  }
  for (const p of penalties) {
    const k = `${p.team}|${p.part}`;
    if (!groups.has(k)) groups.set(k, { team: p.team, part: p.part, ms: 0, suggested: p.suggested ?? 0, phases: [] });
  }
  if (!groups.size) box.append(el('p', { className: 'empty', textContent: _t('Chưa có đội nào quá giờ.') }));
  for (const [k, g] of groups) {
    const confirmed = penalties.find((p) => p.team === g.team && p.part === g.part);
    const saved = typed.get(`pen:${k}`) || {};
    const s = Math.round(g.ms / 1000);
    const div = el('div', { className: 'penalty' });
    div.dataset.key = k;
    div.append(el('p', {}, el('strong', { textContent: teamName(g.team) }), ` — ${partName(g.part)}: ${_t('quá {time} · thể lệ đề nghị trừ {points} điểm', { time: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`, points: num(g.suggested) })}`));
    if (confirmed) div.append(el('p', { className: 'small', textContent: `${_t('Đã xác nhận trừ {points} điểm', { points: num(confirmed.points) })} — ${confirmed.reason}` }));
    const pid = `pen-points-${k}`, rid = `pen-reason-${k}`;
    const points = el('input', { id: pid, inputMode: 'decimal', value: saved.points ?? String(confirmed ? confirmed.points : g.suggested).replace('.', ','), disabled: !HEAD });
    points.dataset.penPoints = k;
    const reason = el('input', { id: rid, value: saved.reason ?? '', disabled: !HEAD, placeholder: _t('bắt buộc nếu khác mức đề nghị') });
    reason.dataset.penReason = k;
    const b = el('button', { type: 'button', className: 'btn btn-primary', textContent: confirmed ? _t('Sửa điểm trừ') : _t('Xác nhận điểm trừ'), disabled: !HEAD });
    b.dataset.penalty = k;
    b.dataset.expected = confirmed ? String(confirmed.decision) : '';
    div.append(el('div', { className: 'penalty-row' },
      el('div', { className: 'form-row' }, el('label', { htmlFor: pid, textContent: _t('Điểm trừ') }), points),
      el('div', { className: 'form-row' }, el('label', { htmlFor: rid, textContent: _t('Lý do') }), reason)), b);
    box.append(div);
  }
}

function renderAwards() {
  const ul = $('awards');
  ul.textContent = '';
  const p = state.prizes;
  for (const a of p.awards) {
    const who = a.team_name || (a.member_name ? `${a.member_name} (${a.member_team})` : '');
    ul.append(el('li', {}, el('span', {}, el('strong', { textContent: a.name }), ` — ${who}${a.decided ? ` ${_t('(quyết định)')}` : ''}`), el('span', { className: 'num', textContent: formatMoney(a.amount) })));
  }
  for (const u of p.unawarded) ul.append(el('li', { className: 'muted' }, el('span', { textContent: `${u.name}: ${_t('chưa trao ({n})', { n: u.slots })}` })));
  if (!p.complete) ul.append(el('li', { className: 'lb-provisional' }, _t('Tạm tính — chưa đủ phiếu chấm')));
}

function render() {
  renderSummary();
  renderParts();
  renderStandings();
  renderTies();
  renderPenalties();
  renderAwards();
}

// ---------------------------------------------------------------- actions

async function lock(part) {
  const label = part === 'all' ? _t('mọi phần thi') : _t('phần thi «{name}»', { name: partName(part) });
  if (!(await confirmAction(_t('Khoá {what}? Sau khi khoá, giám khảo không sửa được điểm; muốn sửa cần mở khoá và ghi lý do.', { what: label }), { confirmLabel: _t('Khoá'), danger: false }))) return;
  try {
    await call('POST', '/locks', { part });
    toast(_t('Đã khoá {what}', { what: label }), 'success');
    await refresh();
  } catch (e) {
    if (e.code === 'incomplete') {
      const reason = await askReason(`${e.message}\n${_t('Vẫn khoá khi còn thiếu phiếu?')}`, { confirmLabel: _t('Vẫn khoá') });
      if (reason) await act('POST', '/locks', { part, force: true, reason }, _t('Đã khoá {what}', { what: label })).catch(() => {});
      return;
    }
    toast(e.message, 'error', 8000);
    await refresh();
  }
}

document.addEventListener('click', async (e) => {
  const t = e.target.closest('button');
  if (!t) return;
  if (t.id === 'lock-all') { await lock('all'); return; }
  if (t.dataset.lock) { await lock(t.dataset.lock); return; }
  if (t.dataset.unlock) {
    const part = t.dataset.unlock;
    const reason = await askReason(_t('Mở khoá phần thi «{name}» để sửa điểm?', { name: partName(part) }), { confirmLabel: _t('Mở khoá') });
    if (reason) await act('POST', `/locks/${encodeURIComponent(part)}/unlock`, { reason }, _t('Đã mở khoá')).catch(() => {});
    return;
  }
  if (t.dataset.move) {
    const box = t.closest('.tie');
    const key = box.dataset.tie;
    const order = [...box._order];
    const i = Number(t.dataset.index), j = i + Number(t.dataset.move);
    [order[i], order[j]] = [order[j], order[i]];
    typed.set(`tie:${key}`, { ...(typed.get(`tie:${key}`) || {}), order });
    renderTies();
    return;
  }
  if (t.dataset.decide) {
    const key = t.dataset.decide;
    const box = t.closest('.tie');
    const reason = box.querySelector('textarea').value.trim();
    if (reason.length < 3) { toast(_t('Cần ghi lý do cho quyết định đồng hạng'), 'error'); box.querySelector('textarea').focus(); return; }
    if (!(await confirmAction(_t('Ghi quyết định đồng hạng theo thứ tự đã xếp?'), { confirmLabel: _t('Ghi quyết định'), danger: false }))) return;
    try {
      await act('POST', '/ties', { tie: key, order: box._order, reason, expected: null }, _t('Đã ghi quyết định'));
      typed.delete(`tie:${key}`);
    } catch { /* shown */ }
    return;
  }
  if (t.dataset.penalty) {
    const k = t.dataset.penalty;
    const [team, part] = k.split('|');
    const box = t.closest('.penalty');
    const points = box.querySelector('[data-pen-points]').value.trim().replace(',', '.');
    const reason = box.querySelector('[data-pen-reason]').value.trim();
    const expected = t.dataset.expected ? Number(t.dataset.expected) : null;
    try {
      await act('POST', '/penalties', { team, part, points, reason, expected }, _t('Đã ghi điểm trừ'));
      typed.delete(`pen:${k}`);
    } catch { /* shown */ }
  }
});

document.addEventListener('input', (e) => {
  const t = e.target;
  if (t.dataset.reasonFor) {
    const key = `tie:${t.dataset.reasonFor}`;
    typed.set(key, { ...(typed.get(key) || {}), reason: t.value, order: t.closest('.tie')._order });
  }
  if (t.dataset.penPoints) typed.set(`pen:${t.dataset.penPoints}`, { ...(typed.get(`pen:${t.dataset.penPoints}`) || {}), points: t.value });
  if (t.dataset.penReason) typed.set(`pen:${t.dataset.penReason}`, { ...(typed.get(`pen:${t.dataset.penReason}`) || {}), reason: t.value });
});

// ---------------------------------------------------------------- live

// the question on stage, with its answer and follow-ups (the jury judges the answer against it)
const showQuestion = (stage) => { if (stage) renderQuestion($('jury-question'), stage.question); };

connectLive({
  contest: CID,
  onSnapshot: (snap) => { showQuestion(snap?.stage); refreshSoon(0); },
  onEvent: (name, payload) => {
    if (name === 'sheets' || name === 'standings') refreshSoon();
    if (name === 'stage') { showQuestion(payload?.stage); refreshSoon(500); }  // overtime recorded by the timer
  },
});

render();
