// Cloud-side consumer for the outage-drain benchmark (MQTT.js): persistent session, QoS 1, retries
// the connection every 100 ms while the cloud is down. Counts unique "<publisher>:<seq>" payloads,
// records when the first and the last message arrived (epoch ms), and exits once --expect unique
// messages arrived (or after --timeout seconds). Writes one JSON line to stdout.
//
//   node consume.mjs --url mqtt://127.0.0.1:1884 --topic 'devices/#' --client-id cloud-1 --expect 50000
//     [--ready-file F] [--protocol 5|4] [--timeout 600]
import mqtt from 'mqtt';
import { writeFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const expect = Number(args.expect ?? 0);
const timeoutSeconds = Number(args.timeout ?? 600);
const seen = new Set();
let received = 0; let firstAtMs = null; let lastAtMs = null; let connects = 0;

const client = mqtt.connect(args.url ?? 'mqtt://127.0.0.1:1884', {
  clientId: args['client-id'] ?? 'bench-cloud-consumer', clean: false, protocolVersion: Number(args.protocol ?? 5),
  reconnectPeriod: 100, connectTimeout: 5000,
  properties: Number(args.protocol ?? 5) === 5 ? { sessionExpiryInterval: 3600 } : undefined,
});

function finish(code) {
  console.log(JSON.stringify({ received, unique: seen.size, duplicates: received - seen.size, firstAtMs, lastAtMs,
    connects }));
  client.end(true, () => process.exit(code));
}

client.on('connect', (connack) => {
  connects++;
  if (connects === 1 && !connack.sessionPresent) {
    client.subscribe(args.topic ?? 'devices/#', { qos: 1 }, (err) => {
      if (err) { console.error(`subscribe failed: ${err.message}`); process.exit(2); }
      if (args['ready-file']) writeFileSync(args['ready-file'], 'ready\n');
    });
  } else if (connects === 1 && args['ready-file']) {
    writeFileSync(args['ready-file'], 'ready\n');
  }
});
client.on('error', () => {}); // a cloud that is down is expected; the client retries
client.on('message', (_topic, payload) => {
  const now = Date.now();
  received++;
  if (firstAtMs === null) firstAtMs = now;
  lastAtMs = now;
  const text = payload.toString('latin1', 0, Math.min(payload.length, 40));
  const key = text.split(':', 2).join(':');
  seen.add(key);
  if (expect > 0 && seen.size >= expect) finish(0);
});
setTimeout(() => finish(seen.size >= expect ? 0 : 1), timeoutSeconds * 1000);
