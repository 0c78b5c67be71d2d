// The audience's phone: the current step, team and timer, the programme, the leaderboard when
// the organisers make it public, and the prizes as they are announced. No login, no controls.
import { connectLive, countdown } from './live.js';
import { setText, h, fill, show, leaderboard, choiceItems } from './show-common.js';
import { t as _t } from './i18n.js';

const root = document.getElementById('show');
const timerEl = document.getElementById('au-timer');
let view = null;
let standings = null;
let live = null;

function renderBoard() {
  const section = document.getElementById('au-board');
  const board = view?.results_public ? leaderboard(standings, view.teams) : null;
  fill(section.querySelector('[data-f="board"]'), board);
  show(section, !!board);
}

function render(next) {
  if (!next) return;
  view = next;
  const s = view.step;
  root.dataset.screen = view.screen;
  setText(root, 'programme_name', s.programme_name);
  setText(root, 'headline', view.headline);
  setText(root, 'subline', view.subline);
  show(timerEl, !!view.timer);
  if (view.timer) countdown(timerEl, view.timer, live?.clock);

  const q = view.question;
  const qs = document.getElementById('au-question');
  show(qs, !!q);
  if (q) {
    setText(qs, 'q_title', _t('Câu hỏi — lá thăm số {lot}', { lot: q.lot }));
    setText(qs, 'q_text', q.question?.text);
    fill(qs.querySelector('[data-f="q_choices"]'), choiceItems(q.question?.choices));
  }

  const a = view.award;
  const as = document.getElementById('au-award');
  show(as, !!a);
  if (a) {
    setText(as, 'award_prize', a.prize_name);
    setText(as, 'award_winner', a.winner || a.text);
    setText(as, 'award_detail', a.detail);
  }
  const list = document.getElementById('au-awards');
  show(list, view.awards.length > 0);
  fill(list.querySelector('[data-f="awards"]'), view.awards.map((x) =>
    h('li', {}, h('b', {}, x.prize_name), h('span', {}, `${x.winner || x.text}${x.detail ? ` — ${x.detail}` : ''}`))));

  fill(root.querySelector('[data-f="programme"]'), view.programme.map((p, i) =>
    h('li', { class: `is-${p.state}` }, h('span', { class: 'au-n' }, `${i + 1}.`), h('span', {}, p.name))));
  fill(root.querySelector('[data-f="teams"]'), view.teams.map((t) =>
    h('li', { class: `is-${t.state}` }, h('span', { class: 'au-n' }, `${t.order}.`),
      h('span', {}, t.name, h('small', {}, t.unit || '')))));
  renderBoard();
}

live = connectLive({
  contest: root.dataset.contest,
  onSnapshot: (snap) => { standings = snap.standings ?? null; render(snap.stage); },
  onEvent: (name, p) => {
    if (name === 'stage') render(p.stage);
    else if (name === 'timer' && !p.none) countdown(timerEl, p, live.clock);
    else if (name === 'standings') { standings = p.teams ? p : null; renderBoard(); }
    else if (name === 'draw' && view && p.team === view.step.team && p.question) {
      render({ ...view, question: { lot: p.lot, question: p.question } });
    }
  },
});
