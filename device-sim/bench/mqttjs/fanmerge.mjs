// Merges the reports of several fansub.mjs processes that shared one row's subscribers into one
// report of the same shape: counts summed (deliveries, duplicates, malformed, unique, unique per
// publisher), first arrival the earliest, last the latest, deliveries/s over that span, latency
// percentiles over all processes' sampled latencies (percentile.mjs, as fansub.mjs reports them).
//
//   node fanmerge.mjs --out merged.json part-1.json:part-1.lat part-2.json:part-2.lat ...
import { readFileSync, writeFileSync } from 'node:fs';
import { percentile } from './percentile.mjs';

const argv = process.argv.slice(2);
const outAt = argv.indexOf('--out');
const out = outAt >= 0 ? argv[outAt + 1] : null;
const parts = argv.filter((a, i) => a !== '--out' && i !== outAt + 1);
if (parts.length === 0) { console.error('usage: fanmerge.mjs [--out F] REPORT.json:LATENCIES ...'); process.exit(2); }

const merged = { subscribers: 0, deliveries: 0, duplicates: 0, malformed: 0, unique: 0, uniquePerPublisher: {},
  firstAtMs: null, lastAtMs: null, processes: parts.length };
const latencies = [];
for (const part of parts) {
  const [reportFile, latFile] = part.split(':');
  const r = JSON.parse(readFileSync(reportFile, 'utf8'));
  for (const k of ['subscribers', 'deliveries', 'duplicates', 'malformed', 'unique']) merged[k] += r[k];
  for (const [p, n] of Object.entries(r.uniquePerPublisher)) merged.uniquePerPublisher[p] = (merged.uniquePerPublisher[p] ?? 0) + n;
  if (r.firstAtMs !== null) merged.firstAtMs = merged.firstAtMs === null ? r.firstAtMs : Math.min(merged.firstAtMs, r.firstAtMs);
  if (r.lastAtMs !== null) merged.lastAtMs = merged.lastAtMs === null ? r.lastAtMs : Math.max(merged.lastAtMs, r.lastAtMs);
  merged.qos = r.qos; merged.protocolVersion = r.protocolVersion;
  for (const line of readFileSync(latFile, 'utf8').split('\n')) if (line !== '') latencies.push(Number(line));
}
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length === 0 ? null : Number(percentile(latencies, p).toFixed(2)));
const seconds = merged.firstAtMs === null ? 0 : (merged.lastAtMs - merged.firstAtMs) / 1000;
merged.seconds = Number(seconds.toFixed(3));
merged.deliveriesPerSecond = seconds > 0 ? Math.round(merged.deliveries / seconds) : 0;
merged.latencyMs = { p50: pct(0.5), p99: pct(0.99), max: pct(1), samples: latencies.length };
const report = JSON.stringify(merged);
if (out) writeFileSync(out, `${report}\n`); else console.log(report);
