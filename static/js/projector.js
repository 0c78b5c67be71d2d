// The projector (1920x1080, no controls): follows the stage over /live and shows the screen
// of the current step. Press F (or Enter) for full screen; that key also allows the sound.
import { connectLive, countdown, enableSound } from './live.js';
import { fitText } from './ui.js';
import { setText, h, fill, leaderboard, choiceItems } from './show-common.js';
import { t as _t } from './i18n.js';

const root = document.getElementById('show');
const qbox = document.getElementById('pj-qbox');
const timerEl = document.getElementById('pj-timer');
const envelope = document.getElementById('pj-envelope');
const reveal = document.getElementById('pj-reveal');
const hint = document.getElementById('pj-hint');

let view = null;
let standings = null;
let shownAward = null;
let live = null;

function questionNodes(q) {
  if (!q) return [];
  const nodes = [h('p', { class: 'q-text' }, h('span', { class: 'pj-lot' }, `${_t('Lá thăm số {lot}', { lot: q.lot })} · `),
    q.question?.text || '')];
  if (q.question?.choices?.length) nodes.push(h('ol', {}, choiceItems(q.question.choices)));
  return nodes;
}

function renderBoard() {
  const board = view?.results_public ? leaderboard(standings, view.teams) : null;
  if (board && (standings?.teams?.length || 0) > 8) board.classList.add('two-cols');
  root.classList.toggle('has-board', !!board);
  const note = root.querySelector('[data-f="board_note"]');
  if (note) note.hidden = !(board && standings && standings.complete === false);
  for (const el of root.querySelectorAll('[data-f="board"]')) {
    fill(el, board ? board.cloneNode(true) : null);
  }
  refitBoards();
}

/** Every team on screen, whatever their number: the visible board shrinks its text to fit. */
function refitBoards() {
  requestAnimationFrame(() => {
    for (const el of root.querySelectorAll('[data-f="board"]')) {
      if (el.offsetParent && el.firstChild) fitText(el, 16, 40);
    }
  });
}

function refit() {
  refitBoards();
  if (!view?.question) return;
  requestAnimationFrame(() => fitText(qbox, 32, 96));
}

function render(next) {
  if (!next) return;
  const prev = view;
  view = next;
  const s = view.step;
  root.dataset.screen = view.screen;
  root.classList.toggle('has-question', !!view.question);
  setText(root, 'title', s.title);
  setText(root, 'team_name', s.team_name);
  setText(root, 'unit', s.unit);
  setText(root, 'order', s.team_order ? _t('Đội thi thứ {n}/{total}', { n: s.team_order, total: view.teams.length }) : '');
  setText(document, 'programme_name', s.programme_name);
  setText(document, 'next', view.next ? _t('Tiếp theo: {title}', { title: view.next.title }) : '');
  const commit = root.querySelector('[data-f="commitment"]');
  if (commit) {
    commit.hidden = !view.commitment;
    const code = commit.querySelector('code');
    if (code) code.textContent = view.commitment || '';
  }
  // the question (never an answer: this is the public view)
  const qKey = view.question ? `${view.question.lot}:${view.question.question?.key}` : '';
  if (qbox.dataset.key !== qKey) {
    fill(qbox, questionNodes(view.question));
    qbox.dataset.key = qKey;
  }
  if (view.screen === 'draw' && !envelope.classList.contains('is-drawn')) {
    envelope.textContent = view.question ? String(view.question.lot) : '?';
    envelope.classList.toggle('is-open', !!view.question);
  }
  if (prev?.step?.id !== s.id) envelope.classList.remove('is-drawn');
  refit();
  // the timer
  if (view.timer) countdown(timerEl, view.timer, live?.clock, { beep: true });
  renderBoard();
  // the award, with its little ceremony when it is new
  const a = view.award;
  setText(reveal, 'award_kind', a?.kind_name);
  setText(reveal, 'award_prize', a?.prize_name);
  setText(reveal, 'award_winner', a?.winner);
  setText(reveal, 'award_detail', a?.detail);
  setText(reveal, 'award_text', a?.text);
  setText(reveal, 'award_amount', a?.amount_text);
  const awardKey = a ? `${a.slot}:${a.status}:${a.team || a.member || ''}` : null;
  if (awardKey && awardKey !== shownAward && prev) {
    reveal.classList.remove('is-new');
    void reveal.offsetWidth;            // restart the animation
    reveal.classList.add('is-new');
  }
  shownAward = awardKey;
}

function onDraw(p) {
  if (!view || !p || (p.team && p.team !== view.step.team)) return;
  envelope.classList.remove('is-drawn', 'is-open');
  envelope.textContent = String(p.lot);
  void envelope.offsetWidth;
  envelope.classList.add('is-drawn');
  setTimeout(() => {
    envelope.classList.add('is-open');
    if (p.question) {
      render({ ...view, question: { lot: p.lot, question: p.question } });
    }
  }, 1100);
}

live = connectLive({
  contest: root.dataset.contest,
  query: { screen: 'projector' },
  onSnapshot: (snap) => {
    standings = snap.standings ?? null;
    render(snap.stage);
  },
  onEvent: (name, p) => {
    if (name === 'stage') render(p.stage);
    else if (name === 'timer' && !p.none) countdown(timerEl, p, live.clock, { beep: true });
    else if (name === 'standings') { standings = p.teams ? p : null; renderBoard(); }
    else if (name === 'draw') onDraw(p);
  },
});
live.clock.sync().then(() => view?.timer && countdown(timerEl, view.timer, live.clock)).catch(() => {});

// One key for full screen (the projector has no controls); it also unlocks the sound.
function toggleFullscreen() {
  enableSound();
  if (document.fullscreenElement) document.exitFullscreen?.();
  else document.documentElement.requestFullscreen?.().catch(() => {});
}
document.addEventListener('keydown', (e) => {
  if (e.key === 'f' || e.key === 'F' || e.key === 'Enter') { e.preventDefault(); toggleFullscreen(); }
  else enableSound();
});
document.addEventListener('click', () => enableSound());
document.addEventListener('fullscreenchange', () => hint.classList.add('is-gone'));
setTimeout(() => hint.classList.add("is-gone"), 5000);
window.addEventListener('resize', refit);
document.fonts?.ready.then(refit);
