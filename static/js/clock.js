// Server clock estimation (NTP-style) so every screen shows the same countdown.
//
//   const clock = new ServerClock(async () => serverEpochMs);
//   await clock.sync();          // 8 round trips
//   clock.now();                 // estimated server epoch ms
//
// One sample: t0 = local send, t1 = local receive, s = server's reply.
// offset = s - (t0 + t1) / 2, rtt = t1 - t0. Samples with the smallest RTT are the least
// disturbed by queueing, so we keep the best half and take the median of their offsets.
// The local time base is performance.timeOrigin + performance.now() (monotonic): a phone
// whose wall clock jumps does not move the countdown. Re-syncs every 60 s and whenever the
// page becomes visible again (timers and the monotonic clock may stall while hidden).

const perfNow = () =>
  (typeof performance !== 'undefined' && performance.timeOrigin)
    ? performance.timeOrigin + performance.now()
    : Date.now();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class ServerClock {
  /**
   * @param {() => Promise<number>} sendPing resolves to the server's epoch ms (rejects when offline)
   * @param {{auto?: boolean, intervalMs?: number, samples?: number, sampleTimeoutMs?: number}} [opts]
   */
  constructor(sendPing, { auto = true, intervalMs = 60_000, samples = 8, sampleTimeoutMs = 3_000 } = {}) {
    this.sendPing = sendPing;
    this.samples = samples;
    this.sampleTimeoutMs = sampleTimeoutMs;
    this.offset = 0;          // server - local, ms
    this.rtt = Infinity;      // best round trip seen in the last sync, ms
    this.synced = false;      // true after one successful sync
    this.lastSync = 0;        // local ms of the last successful sync
    this._running = null;
    this._timer = null;
    this._onVisible = null;
    if (auto) this.start(intervalMs);
  }

  /** Estimated server epoch ms. */
  now() { return perfNow() + this.offset; }

  /** Measure `samples` round trips (one at a time) and update offset and rtt.
   *  Resolves to {offset, rtt}; rejects when no sample succeeded (offset is kept). */
  sync(samples = this.samples) {
    if (!this._running) {
      this._running = this._sync(samples).finally(() => { this._running = null; });
    }
    return this._running;
  }

  async _sync(samples) {
    const got = [];
    for (let i = 0; i < samples; i++) {
      try { got.push(await this._sample()); } catch { /* lost sample: skip */ }
      if (!got.length && i >= 1) break;   // offline: stop early, try again later
    }
    if (!got.length) throw new Error('clock sync: no reply');
    got.sort((a, b) => a.rtt - b.rtt);
    const best = got.slice(0, Math.max(1, Math.ceil(got.length / 2)));
    this.offset = median(best.map((s) => s.offset));
    this.rtt = best[0].rtt;
    this.synced = true;
    this.lastSync = perfNow();
    return { offset: this.offset, rtt: this.rtt };
  }

  async _sample() {
    const t0 = perfNow();
    let timeout;
    const reply = await Promise.race([
      Promise.resolve().then(() => this.sendPing()),
      new Promise((_, reject) => { timeout = setTimeout(() => reject(new Error('timeout')), this.sampleTimeoutMs); }),
    ]).finally(() => clearTimeout(timeout));
    const t1 = perfNow();
    const s = typeof reply === 'number' ? reply : Number(reply && (reply.now ?? reply.server_ms));
    if (!Number.isFinite(s)) throw new Error('clock sync: bad reply');
    return { offset: s - (t0 + t1) / 2, rtt: t1 - t0 };
  }

  /** Re-sync every intervalMs and when the page becomes visible (started by the constructor). */
  start(intervalMs = 60_000) {
    this.stop();
    const quiet = () => this.sync().catch(() => {});
    this._timer = setInterval(quiet, intervalMs);
    if (typeof document !== 'undefined') {
      this._onVisible = () => { if (document.visibilityState === 'visible') quiet(); };
      document.addEventListener('visibilitychange', this._onVisible);
    }
  }

  stop() {
    clearInterval(this._timer);
    this._timer = null;
    if (this._onVisible) document.removeEventListener('visibilitychange', this._onVisible);
    this._onVisible = null;
  }
}
