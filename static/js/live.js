// Client side of CONTRACT §6 (Socket.IO namespace /live), shared by every live screen.
//
//   import { connectLive, countdown } from '/static/js/live.js';
//   const live = connectLive({
//     contest: 3, token,                          // token only on private screens
//     onSnapshot: (state) => render(state),       // whole state; also after every reconnect/resync
//     onEvent: (name, payload) => { if (name === 'timer') countdown(el, payload, live.clock); },
//     onStatus: (status) => {},                   // 'connecting' | 'ok' | 'lost'
//   });
//
// Versions: `snapshot` carries `version`; every later event carrying `version` must be
// last + 1. On a gap we emit `resync` and drop versioned events until the next snapshot.
// A same-version copy marked `staff: true` (contest/live.py publish) is delivered too.
// Events without `version` (e.g. `error`) are passed straight to onEvent.
// The socket.io client is the vendored ESM build (static/vendor/socket.io/), imported
// relative to this file so the app also works under a URL prefix.

import { io } from '../vendor/socket.io/socket.io.esm.min.js';
import { ServerClock } from './clock.js';
import { t as _t } from './i18n.js';

const LOST_TEXT = _t('Mất kết nối — đang kết nối lại…');
const STATUS_LABEL = { ok: _t('Đã kết nối'), lost: _t('Mất kết nối'), connecting: _t('Đang kết nối…') };
const BANNER_DELAY_MS = 2000;     // a blip shorter than this only turns the dot red
const SNAPSHOT_WAIT_MS = 4000;    // ask again if a snapshot does not come

// Paint #conn-dot (always) and #conn-banner (only when `loud`) if the page has them.
function paint(status, loud) {
  const dot = document.getElementById('conn-dot');
  const banner = document.getElementById('conn-banner');
  if (dot) {
    dot.classList.remove('conn-ok', 'conn-lost', 'conn-connecting');
    dot.classList.add(`conn-${status}`);
    dot.title = STATUS_LABEL[status];
    dot.setAttribute('role', 'img');
    dot.setAttribute('aria-label', STATUS_LABEL[status]);
  }
  if (banner) {
    if (!banner.textContent.trim()) banner.textContent = LOST_TEXT;
    banner.setAttribute('role', 'alert');
    banner.classList.toggle('conn-lost', loud);
  }
}

/**
 * Connect to /live for one contest (`query` adds parameters, e.g. {screen: 'projector'}). Returns
 * { socket, clock, version, status, resync(), request(event, data, timeoutMs), close() }.
 */
export function connectLive({ contest, token, onSnapshot, onEvent, onStatus, namespace = '/live', path, query: extra = {} } = {}) {
  const query = { ...extra, contest: String(contest) };
  if (token) query.token = token;
  const socket = io(namespace, {
    query,
    ...(path ? { path } : {}),
    transports: ['websocket', 'polling'],   // websocket first...
    tryAllTransports: true,                 // ...and polling if the websocket cannot open
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 8000,
  });

  let version = null;          // last applied version
  let waiting = true;          // true until a snapshot arrives (events are dropped meanwhile)
  let status = null;
  let bannerTimer = null;
  let snapshotTimer = null;
  let retryTimer = null;
  let closed = false;
  let staffSeen = false;       // the staff copy of the current version was delivered

  const setStatus = (next, detail) => {
    if (next === status) return;
    status = next;
    clearTimeout(bannerTimer);
    paint(next, false);
    if (next === 'lost') {
      bannerTimer = setTimeout(() => { if (status === 'lost') paint('lost', true); }, BANNER_DELAY_MS);
    }
    onStatus?.(next, detail);
  };

  const resync = () => {
    waiting = true;
    clearTimeout(snapshotTimer);
    if (!socket.connected) return;                      // the next connect brings a snapshot
    socket.emit('resync', { contest: query.contest, version });
    snapshotTimer = setTimeout(resync, SNAPSHOT_WAIT_MS);
  };

  const clock = new ServerClock(() => new Promise((resolve, reject) => {
    if (!socket.connected) { reject(new Error('offline')); return; }
    socket.timeout(3000).emit('ping_time', {}, (err, serverMs) => (err ? reject(err) : resolve(serverMs)));
  }));

  socket.on('connect', () => {
    // The server sends a snapshot on connect; socket.io may deliver it just before this
    // handler runs, so `waiting` is set on disconnect, not here.
    clearTimeout(snapshotTimer);
    if (waiting) snapshotTimer = setTimeout(resync, SNAPSHOT_WAIT_MS);
    setStatus('ok');
    clock.sync().catch(() => {});
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;                                  // close() was called: stay quiet
    waiting = true;                                      // until the next snapshot
    setStatus('lost', { reason });
    // A server-side disconnect is not retried by socket.io itself: retry after a pause.
    if (reason === 'io server disconnect') retryTimer = setTimeout(() => socket.connect(), 3000);
  });
  socket.on('connect_error', (err) => {
    setStatus('lost', { reason: 'connect_error', message: err?.message, denied: !socket.active });
    if (!socket.active) {                                // refused by the server (e.g. bad token)
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => socket.connect(), 5000);
    }
  });

  socket.onAny((name, payload) => {
    if (name === 'snapshot') {
      clearTimeout(snapshotTimer);
      waiting = false;
      version = payload && typeof payload.version === 'number' ? payload.version : null;
      onSnapshot?.(payload);
      return;
    }
    const v = payload && typeof payload.version === 'number' ? payload.version : null;
    if (v !== null) {
      if (waiting) return;                               // until the snapshot arrives
      const staff = payload.staff === true;
      if (version !== null && v <= version) {
        // Staff sockets get the public event and then its staff version (same version,
        // `staff: true`, e.g. with the answer): deliver that one too, once.
        if (!(v === version && staff && !staffSeen)) return;   // duplicate / in the snapshot
        staffSeen = true;
        onEvent?.(name, payload);
        return;
      }
      if (version === null || v !== version + 1) { resync(); return; }
      version = v;
      staffSeen = staff;
    }
    onEvent?.(name, payload);
  });

  setStatus('connecting');

  return {
    socket,
    clock,
    get version() { return version; },
    get status() { return status; },
    resync,
    /** Emit with an acknowledgement; resolves to the server's reply, rejects on timeout. */
    request(event, data = {}, timeoutMs = 5000) {
      return socket.timeout(timeoutMs).emitWithAck(event, data);
    },
    close() {
      closed = true;
      clearTimeout(bannerTimer); clearTimeout(snapshotTimer); clearTimeout(retryTimer);
      clock.stop();
      socket.close();
    },
  };
}

// ---------------------------------------------------------------------------------------
// Countdown: renders a `timer` event locally, ~60 times a second, only touching the DOM
// when the shown text or class changes.

const WARN_MS = 30_000;
const DANGER_MS = 10_000;
const active = new Set();
const controllers = new WeakMap();
const perfNow = () => performance.timeOrigin + performance.now();
const pad = (n) => String(n).padStart(2, '0');

/** "mm:ss" (seconds rounded up, so 00:00 shows at the deadline) or "+m:ss" when over. */
export function formatClock(remainingMs) {
  if (remainingMs > 0) {
    const s = Math.ceil(remainingMs / 1000);
    return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
  }
  const over = Math.floor(-remainingMs / 1000);
  return over === 0 ? '00:00' : `+${Math.floor(over / 60)}:${pad(over % 60)}`;
}

/** The class of the timer for a remaining time (null = normal). */
export function timerLevel(remainingMs) {
  if (remainingMs <= -1000) return 'timer-over';
  if (remainingMs <= DANGER_MS) return 'timer-danger';
  if (remainingMs <= WARN_MS) return 'timer-warn';
  return null;
}

function cells(text) {
  let html = '';
  for (const ch of text) {
    const kind = ch === ':' ? ' tc-sep' : ch === '+' ? ' tc-sign' : '';
    html += `<span class="tc${kind}">${ch}</span>`;
  }
  return html;
}

/**
 * Show `timer` ({state, remaining_ms, deadline_ms}) in `el` (class "timer") using `clock`
 * (a ServerClock; before its first sync, remaining_ms counts from the event's arrival).
 * Calling it again for the same element updates it. Returns {update(timer), stop(), beep}.
 * opts.beep = true plays a soft tone at 10 s and at 0 s (call enableSound() from a click first).
 */
export function countdown(el, timer, clock, opts = {}) {
  let ctl = controllers.get(el);
  if (!ctl) {
    ctl = makeCountdown(el);
    controllers.set(el, ctl);
  }
  if ('beep' in opts) ctl.beep = !!opts.beep;
  ctl.update(timer, clock);
  return ctl;
}

function makeCountdown(el) {
  let timer = null, clock = null, receivedAt = 0, raf = 0;
  let shownText = null, shownLevel = undefined, lastRemaining = null;
  el.classList.add('timer');
  el.setAttribute('role', 'timer');

  const remaining = () => {
    if (!timer) return 0;
    if (timer.state !== 'running') return timer.remaining_ms ?? 0;
    if (clock && clock.synced && Number.isFinite(timer.deadline_ms)) return timer.deadline_ms - clock.now();
    return (timer.remaining_ms ?? 0) - (perfNow() - receivedAt);
  };

  const render = () => {
    const ms = remaining();
    const text = formatClock(ms);
    const level = timerLevel(ms);
    if (text !== shownText) {
      el.innerHTML = cells(text);
      el.setAttribute('aria-label', text);
      el.dataset.len = text.length;                     // CSS shrinks "+mm:ss" (6)
      shownText = text;
    }
    if (level !== shownLevel) {
      el.classList.remove('timer-warn', 'timer-danger', 'timer-over');
      if (level) el.classList.add(level);
      shownLevel = level;
    }
    el.classList.toggle('timer-paused', timer?.state === 'paused');
    el.classList.toggle('timer-stopped', timer?.state === 'stopped');
    if (ctl.beep && timer?.state === 'running' && lastRemaining !== null) {
      if (lastRemaining > DANGER_MS && ms <= DANGER_MS) beep(660, 0.18);
      if (lastRemaining > 0 && ms <= 0) beep(880, 0.5);
    }
    lastRemaining = timer?.state === 'running' ? ms : null;
  };

  const loop = () => {
    render();
    raf = timer?.state === 'running' ? requestAnimationFrame(loop) : 0;
  };

  const ctl = {
    beep: false,
    update(next, nextClock = clock) {
      if (timer?.state !== 'running' || next?.state !== 'running') lastRemaining = null;
      timer = next; clock = nextClock; receivedAt = perfNow();
      cancelAnimationFrame(raf);
      active.add(ctl);
      loop();
    },
    render,
    stop() { cancelAnimationFrame(raf); raf = 0; active.delete(ctl); controllers.delete(el); },
  };
  return ctl;
}

if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') return;
    for (const ctl of active) ctl.render();
  });
}

// ---------------------------------------------------------------------------------------
// Sound: a soft sine tone generated in the browser (no audio file). Browsers only start audio
// after a user gesture: call enableSound() from a click/keydown handler once.

let audio = null;

export function enableSound() {
  const Ctx = globalThis.AudioContext || globalThis.webkitAudioContext;
  if (!Ctx) return false;
  audio = audio || new Ctx();
  if (audio.state === 'suspended') audio.resume();
  return true;
}

export function beep(freq = 660, seconds = 0.2, volume = 0.15) {
  if (!audio || audio.state !== 'running') return;
  const t = audio.currentTime;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = 'sine';
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(volume, t + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds);
  osc.connect(gain).connect(audio.destination);
  osc.start(t);
  osc.stop(t + seconds + 0.05);
}
