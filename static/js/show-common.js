// Helpers shared by the three live-show screens (projector, MC console, audience).
// Small on purpose: the audience page loads it on a cheap phone.

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
