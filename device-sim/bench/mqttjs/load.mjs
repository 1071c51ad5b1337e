// QoS 1 load from MQTT.js publishers, one MQTT connection each, for the spool benchmarks.
// Each publisher keeps at most --window publishes awaiting PUBACK and, with --rate > 0, sends on a
// fixed schedule (total --rate msg/s shared by the publishers; a late PUBACK delays the schedule,
// it does not skip messages). Prints one JSON line: counts, achieved rate and PUBACK latency
// percentiles (publish call -> PUBACK, ms).
//
//   node load.mjs --url mqtt://127.0.0.1:1883 --publishers 4 --window 100 --rate 1000 --seconds 10
//   node load.mjs --url mqtt://127.0.0.1:1883 --publishers 4 --window 100 --rate 0 --count 50000
// Payloads are --payload bytes (default 200) starting with "<publisher>:<seq>:" so a consumer can
// find losses and duplicates. Topic: <prefix>/bench-<publisher>/telemetry.
import mqtt from 'mqtt';
import { performance } from 'node:perf_hooks';
import { percentile } from './percentile.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const url = args.url ?? 'mqtt://127.0.0.1:1883';
const publishers = Number(args.publishers ?? 1);
const window = Number(args.window ?? 1);
const rate = Number(args.rate ?? 0);
const seconds = Number(args.seconds ?? 10);
const total = rate > 0 ? Math.round(rate * seconds) : Number(args.count ?? 50000);
const payloadBytes = Number(args.payload ?? 200);
const prefix = args.prefix ?? 'devices';
const protocolVersion = Number(args.protocol ?? 5);
const runId = args.run ?? String(process.pid);
// --nodelay 1: TCP_NODELAY on each publisher's socket (Node leaves Nagle on: a publish sent while an
// earlier one is unacknowledged by TCP waits for the broker's ACK, delayed up to 40 ms when no PUBACK
// carries it)
const noDelay = args.nodelay === '1';

function payload(publisher, seq) {
  const head = `${publisher}:${seq}:`;
  return Buffer.from(head.padEnd(payloadBytes, 'x'));
}

function connect(i) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: `bench-${runId}-${i}`, clean: true, protocolVersion, reconnectPeriod: 0, connectTimeout: 10000,
    });
    client.once('connect', (connack) => {
      if (noDelay) client.stream.setNoDelay(true);
      // MQTT.js does not hold publishes back for the server's Receive Maximum: the window does it
      client.receiveMaximum = connack.properties?.receiveMaximum ?? 65535;
      resolve(client);
    });
    client.once('error', reject);
  });
}

async function runPublisher(i, share, latencies) {
  const client = await connect(i);
  const limit = Math.min(window, client.receiveMaximum);
  const topic = `${prefix}/bench-${i}/telemetry`;
  const interval = rate > 0 ? (publishers * 1000) / rate : 0;
  let sent = 0; let done = 0; let inflight = 0; let errors = 0; let timer = null;
  const start = performance.now();
  await new Promise((resolve) => {
    const pump = () => {
      timer = null;
      while (sent < share && inflight < limit) {
        if (interval > 0) {
          const due = start + sent * interval;
          const now = performance.now();
          if (due > now) {
            timer = setTimeout(pump, due - now);
            return;
          }
        }
        const seq = sent++;
        inflight++;
        const t = performance.now();
        client.publish(topic, payload(i, seq), { qos: 1 }, (err) => {
          inflight--; done++;
          if (err) errors++; else latencies.push(performance.now() - t);
          if (done === share) resolve(); else if (timer === null) pump();
        });
      }
    };
    if (share === 0) resolve(); else pump();
  });
  await client.endAsync();
  return { sent, errors };
}

const latencies = [];
const started = performance.now();
const shares = Array.from({ length: publishers }, (_, i) =>
  Math.floor(total / publishers) + (i < total % publishers ? 1 : 0));
const results = await Promise.all(shares.map((share, i) => runPublisher(i, share, latencies)));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const sent = results.reduce((s, r) => s + r.sent, 0);
const errors = results.reduce((s, r) => s + r.errors, 0);
console.log(JSON.stringify({
  publishers, window, offeredRate: rate, sent, acked: latencies.length, errors, payloadBytes,
  seconds: Number(elapsed.toFixed(3)), achievedRate: Math.round(latencies.length / elapsed),
  pubackP50Ms: Number((percentile(latencies, 0.5) ?? NaN).toFixed(3)),
  pubackP99Ms: Number((percentile(latencies, 0.99) ?? NaN).toFixed(3)),
}));
process.exit(errors > 0 ? 1 : 0);
