// Clock offset error of static/js/clock.js (ServerClock) against a real `hoithi serve`, with
// injected network jitter: every ping is delayed by uniform(lo, hi) ms on the way out and,
// independently, on the way back. Node >= 20 with --experimental-websocket (built-in WebSocket).
//
//   node --experimental-websocket bench/clock_sync.mjs PORT CONTEST [syncs=200] [lo=5] [hi=15] [parallel=10]
//
// The server and this process share the machine's clock, so the true offset between the
// server's epoch ms and ServerClock's local base (performance.timeOrigin + performance.now())
// is Date.now() - that base; the error of one sync is |estimated offset - true offset|.
// Prints one JSON line: {"syncs", "p50_ms", "p99_ms", "max_ms", "rtt_p50_ms"}.
import { ServerClock } from '../static/js/clock.js';

const [port, contest, syncs = '200', lo = '5', hi = '15', parallel = '10'] = process.argv.slice(2);
const jitter = () => Number(lo) + Math.random() * (Number(hi) - Number(lo));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const perfNow = () => performance.timeOrigin + performance.now();

function liveSocket() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&contest=${contest}`);
    const waiting = new Map();
    let nextId = 1;
    ws.onmessage = (ev) => {
      const m = String(ev.data);
      if (m === '2') { ws.send('3'); return; }
      if (m.startsWith('0{')) { ws.send('40/live,{}'); return; }
      if (m.startsWith('40/live,')) { resolve(api); return; }
      const ack = /^43\/live,(\d+)(.*)$/.exec(m);
      if (ack) {
        const cb = waiting.get(Number(ack[1]));
        waiting.delete(Number(ack[1]));
        if (cb) cb(JSON.parse(ack[2])[0]);
      }
    };
    ws.onerror = reject;
    const api = {
      // what live.js does: emit('ping_time', {}) with an ack; here with jitter both ways
      async ping() {
        await sleep(jitter());
        const reply = await new Promise((res) => {
          const id = nextId++;
          waiting.set(id, res);
          ws.send(`42/live,${id}["ping_time",{}]`);
        });
        await sleep(jitter());
        return reply;
      },
      close() { ws.close(); },
    };
  });
}

const errors = [], rtts = [];
async function worker(n) {
  const sock = await liveSocket();
  for (let i = 0; i < n; i++) {
    const clock = new ServerClock(() => sock.ping(), { auto: false });
    const { offset, rtt } = await clock.sync();
    const truth = Date.now() - perfNow();
    errors.push(Math.abs(offset - truth));
    rtts.push(rtt);
  }
  sock.close();
}

const per = Math.ceil(Number(syncs) / Number(parallel));
await Promise.all(Array.from({ length: Number(parallel) }, () => worker(per)));
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))]; };
console.log(JSON.stringify({ syncs: errors.length, p50_ms: q(errors, 0.5), p99_ms: q(errors, 0.99),
  max_ms: Math.max(...errors), rtt_p50_ms: q(rtts, 0.5) }));
process.exit(0);
