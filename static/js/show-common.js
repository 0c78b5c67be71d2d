// Helpers shared by the three live-show screens (projector, MC console, audience).
// Small on purpose: the audience page loads it on a cheap phone.

import { t as _t } from './i18n.js';

/** Set the text of every [data-f=name] under root. */
export function setText(root, name, text) {
  for (const el of root.querySelectorAll(`[data-f="${name}"]`)) {
    const t = text ?? '';
    if (el.textContent !== t) el.textContent = t;
  }
}

/** Build an element: h('li', {class: 'x'}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v; else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const nf = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
export const num = (n) => (n === null || n === undefined || n === '' ? '' : nf.format(Number(n)));
export const LETTERS = 'ABCDEFGH';

/** The list of choices of a multiple-choice question, as <li> elements. */
export function choiceItems(choices) {
  return (choices || []).map((c, i) => h('li', {}, h('b', {}, `${LETTERS[i]}.`), ` ${c}`));
}

/** <ol class="leaderboard"> from the standings (shared ranks shown twice), or null. */
export function leaderboard(standings, teams) {
  const rows = standings?.teams || [];
  if (!rows.length) return null;
  const names = Object.fromEntries((teams || []).map((t) => [t.key, t]));
  const shared = {};
  for (const r of rows) shared[r.rank] = (shared[r.rank] || 0) + 1;
  return h('ol', { class: 'leaderboard' }, rows.map((r) => {
    const t = names[r.team] || {};
    return h('li', { class: `lb-row${r.tied || shared[r.rank] > 1 ? ' lb-tied' : ''}` },
      h('span', { class: 'lb-rank' }, String(r.rank)),
      h('span', { class: 'lb-team' }, t.name || r.name || r.team, h('small', { class: 'lb-unit' }, t.unit || '')),
      h('span', { class: 'lb-total' }, num(r.total)));
  }));
}

/** Replace the children of el with nodes (null/empty = empty). */
export function fill(el, ...nodes) {
  if (el) el.replaceChildren(...nodes.flat().filter(Boolean));
}

export function show(el, on) {
  if (el && el.hidden === !!on) el.hidden = !on;
}

/** The staff's question panel (MC console, jury board): the drawn question, its choices, the
 *  answer and the follow-ups with theirs. Hidden when no question is on stage. */
export function renderQuestion(box, q) {
  if (!box) return;
  show(box, !!q);
  if (!q) return;
  setText(box, 'q_title', _t('Câu hỏi — lá thăm số {lot}', { lot: q.lot }));
  setText(box, 'q_text', q.question?.text);
  fill(box.querySelector('[data-f="q_choices"]'), choiceItems(q.question?.choices));
  fill(box.querySelector('[data-f="q_answer"]'), h('b', {}, `${_t('Đáp án:')} `), q.answer || _t('(chưa có đáp án)'));
  const follow = q.follow_ups || [];
  fill(box.querySelector('[data-f="q_follow"]'), follow.length ? [h('b', {}, _t('Câu hỏi phụ')),
    h('ol', { class: 'mc-follow' }, follow.map((f) => h('li', {}, f.text, h('br'),
      h('span', { class: 'mc-answer' }, `${_t('Đáp án:')} ${f.answer || ''}`))))] : null);
}
