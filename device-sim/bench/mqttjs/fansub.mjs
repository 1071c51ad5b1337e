// Subscribers for the broker comparison (MQTT.js): --subscribers connections on --topic at --qos.
// Each message carries "<publisher>:<seq>:<send time, epoch ms>:" (see fanpub.mjs); every
// subscriber keeps a bitmap of the sequence numbers it got from each publisher, so losses and
// duplicates are exact. Writes --ready-file once all are subscribed; ends when every message the
// publishers reported in --expect-file arrived, --idle seconds (default 10) after the last message,
// or after --max-seconds and prints one JSON line: deliveries, unique per publisher
// summed over subscribers, duplicates, deliveries/s from first to last arrival, end-to-end latency
// percentiles (arrivals in the first --warmup seconds left out of them), to --out or stdout; with
// --latencies-out F also the sampled latencies, one per line, so fanmerge.mjs can merge processes.
//
//   node fansub.mjs --url mqtt://127.0.0.1:1883 --subscribers 1 --qos 1 --protocol 4 \
//     --topic 'bench/fanin/+' --ready-file F
import mqtt from 'mqtt';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { percentile } from './percentile.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const url = args.url ?? 'mqtt://127.0.0.1:1883';
const subscribers = Number(args.subscribers ?? 1);
const qos = Number(args.qos ?? 0);
const protocolVersion = Number(args.protocol ?? 4);
const topic = args.topic ?? 'bench/#';
const idleSeconds = Number(args.idle ?? 10);
// written by the runner once the publishers are done: their JSON line (fanpub.mjs), so the
// subscribers can stop as soon as every message sent has arrived instead of waiting --idle
const expectFile = args['expect-file'];
const maxSeconds = Number(args['max-seconds'] ?? 600);
const warmupMs = Number(args.warmup ?? 2) * 1000;
const idPrefix = args['client-id-prefix'] ?? `sub-${process.pid}-`;
const now = () => performance.timeOrigin + performance.now();

let deliveries = 0; let duplicates = 0; let malformed = 0; let firstAtMs = null; let lastAtMs = null;
const latencies = []; // sampled: at most one in `sampleEvery` deliveries, to bound memory in fan-out
const sampleEvery = Math.max(1, subscribers);
const uniquePerPublisher = new Map();

class Seen {
  constructor() { this.bits = new Uint8Array(1 << 14); }
  // true when seq was not seen before
  add(seq) {
    const byte = seq >>> 3;
    if (byte >= this.bits.length) {
      let size = this.bits.length;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size); grown.set(this.bits); this.bits = grown;
    }
    const mask = 1 << (seq & 7);
    if (this.bits[byte] & mask) return false;
    this.bits[byte] |= mask;
    return true;
  }
}

function onMessage(seen, payload) {
  const t = now();
  deliveries++;
  if (firstAtMs === null) firstAtMs = t;
  lastAtMs = t;
  const head = payload.toString('latin1', 0, Math.min(payload.length, 48)).split(':', 3);
  const seq = Number(head[1]);
  if (head.length < 3 || !Number.isInteger(seq)) { malformed++; return; }
  let perPublisher = seen.get(head[0]);
  if (!perPublisher) { perPublisher = new Seen(); seen.set(head[0], perPublisher); }
  if (!perPublisher.add(seq)) { duplicates++; return; }
  uniquePerPublisher.set(head[0], (uniquePerPublisher.get(head[0]) ?? 0) + 1);
  if (t - firstAtMs >= warmupMs && deliveries % sampleEvery === 0) latencies.push(t - Number(head[2]));
}

function connect(i) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: `${idPrefix}${i}`, clean: true, protocolVersion, reconnectPeriod: 0, connectTimeout: 10000,
      properties: protocolVersion === 5 ? { receiveMaximum: 65535 } : undefined,
    });
    const seen = new Map();
    client.on('message', (_topic, payload) => onMessage(seen, payload));
    client.once('connect', () => client.subscribe(topic, { qos }, (err) => (err ? reject(err) : resolve(client))));
    client.once('error', reject);
  });
}

const clients = await Promise.all(Array.from({ length: subscribers }, (_, i) => connect(i)));
if (args['ready-file']) writeFileSync(args['ready-file'], 'ready\n');
const started = now();
let expected = null;
await new Promise((resolve) => {
  const check = setInterval(() => {
    const t = now();
    if (expected === null && expectFile && existsSync(expectFile)) {
      const sent = JSON.parse(readFileSync(expectFile, 'utf8')).sent;
      expected = Number.isInteger(sent) ? sent * subscribers : null;
    }
    const allArrived = expected !== null && deliveries - duplicates - malformed >= expected;
    if (allArrived || (lastAtMs !== null && t - lastAtMs > idleSeconds * 1000) || t - started > maxSeconds * 1000) {
      clearInterval(check); resolve();
    }
  }, 20);
});
await Promise.all(clients.map((c) => c.endAsync()));
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length === 0 ? null : Number(percentile(latencies, p).toFixed(2)));
const seconds = firstAtMs === null ? 0 : (lastAtMs - firstAtMs) / 1000;
const report = JSON.stringify({
  subscribers, qos, protocolVersion, deliveries, duplicates, malformed,
  unique: deliveries - duplicates - malformed, uniquePerPublisher: Object.fromEntries(uniquePerPublisher),
  firstAtMs, lastAtMs, seconds: Number(seconds.toFixed(3)), deliveriesPerSecond: seconds > 0 ? Math.round(deliveries / seconds) : 0,
  latencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1), samples: latencies.length },
});
if (args.out) writeFileSync(args.out, `${report}\n`); else console.log(report);
// the sampled latencies themselves, one per line, for merging several subscriber processes (fanmerge.mjs)
if (args['latencies-out']) writeFileSync(args['latencies-out'], latencies.map((l) => l.toFixed(3)).join('\n') + '\n');
process.exit(0);
