// Publishers for the broker comparison (MQTT.js): --publishers connections, each sending as fast as
// its window allows for --seconds (or --rate msg/s in total when > 0). QoS 1/2: at most --window
// publishes await their acknowledgement. QoS 0: at most --window publishes are handed to the socket
// before its write buffer drains (TCP backpressure, so a broker that stops reading slows us down
// instead of the generator buffering without bound).
// Payload (--payload bytes, default 100): "<publisher>:<seq>:<send time, epoch ms>:" padded with x,
// so subscribers find losses, duplicates and the end-to-end latency.
// Topic: <--topic-prefix>/<publisher>. Prints one JSON line: what each publisher sent and had acked.
//
//   node fanpub.mjs --url mqtt://127.0.0.1:1883 --publishers 4 --qos 1 --protocol 4 --window 100 \
//     --seconds 10 --topic-prefix bench/fanin
import mqtt from 'mqtt';
import { performance } from 'node:perf_hooks';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const url = args.url ?? 'mqtt://127.0.0.1:1883';
const publishers = Number(args.publishers ?? 1);
const qos = Number(args.qos ?? 0);
const protocolVersion = Number(args.protocol ?? 4);
const window = Number(args.window ?? 100);
const seconds = Number(args.seconds ?? 10);
const rate = Number(args.rate ?? 0);
const payloadBytes = Number(args.payload ?? 100);
const prefix = args['topic-prefix'] ?? 'bench';
const idPrefix = args['client-id-prefix'] ?? `pub-${process.pid}-`;
const now = () => performance.timeOrigin + performance.now();

function payload(publisher, seq) {
  return Buffer.from(`${publisher}:${seq}:${now().toFixed(3)}:`.padEnd(payloadBytes, 'x'), 'latin1');
}

function connect(i) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: `${idPrefix}${i}`, clean: true, protocolVersion, reconnectPeriod: 0, connectTimeout: 10000,
      properties: protocolVersion === 5 ? { receiveMaximum: 65535 } : undefined,
    });
    client.once('connect', (connack) => {
      client.serverReceiveMaximum = connack.properties?.receiveMaximum ?? 65535;
      resolve(client);
    });
    client.once('error', reject);
  });
}

async function runPublisher(i, deadline) {
  const client = await connect(i);
  const limit = qos > 0 ? Math.min(window, client.serverReceiveMaximum) : window;
  const topic = `${prefix}/${i}`;
  const interval = rate > 0 ? (publishers * 1000) / rate : 0;
  const stream = client.stream;
  let sent = 0; let acked = 0; let inflight = 0; let errors = 0; let waiting = false;
  const start = now();
  await new Promise((resolve) => {
    const finishIfDone = () => { if (now() >= deadline && inflight === 0) resolve(); };
    const pump = () => {
      waiting = false;
      let burst = 0;
      while (inflight < limit && now() < deadline) {
        if (interval > 0 && start + sent * interval > now()) {
          waiting = true; setTimeout(pump, Math.max(0, start + sent * interval - now())); return;
        }
        if (qos === 0 && stream.writableNeedDrain) { waiting = true; stream.once('drain', pump); return; }
        if (qos === 0 && ++burst > window) { waiting = true; setImmediate(pump); return; }
        const seq = sent++;
        inflight++;
        client.publish(topic, payload(i, seq), { qos }, (err) => {
          inflight--;
          if (err) errors++; else acked++;
          if (!waiting && qos > 0) pump();
          finishIfDone();
        });
      }
      if (now() >= deadline) { finishIfDone(); if (inflight > 0) setTimeout(finishIfDone, 50); }
    };
    pump();
    // a broker that stops acknowledging must not hang the run forever
    setTimeout(resolve, deadline - now() + 30000);
  });
  const elapsed = (now() - start) / 1000;
  await client.endAsync();
  return { publisher: i, sent, acked, errors, seconds: Number(elapsed.toFixed(3)) };
}

const deadline = now() + seconds * 1000;
const results = await Promise.all(Array.from({ length: publishers }, (_, i) => runPublisher(i, deadline)));
const sent = results.reduce((s, r) => s + r.sent, 0);
const acked = results.reduce((s, r) => s + r.acked, 0);
const errors = results.reduce((s, r) => s + r.errors, 0);
const elapsed = Math.max(...results.map((r) => r.seconds));
console.log(JSON.stringify({
  publishers, qos, protocolVersion, window, payloadBytes, sent, acked, errors, seconds: elapsed,
  ackedPerSecond: Math.round(acked / elapsed), perPublisher: Object.fromEntries(results.map((r) => [r.publisher, r.sent])),
}));
process.exit(errors > 0 ? 1 : 0);
