// Benchmark module: republishes the message it got (inputEncoding: binary) unchanged on bench/out/<last level>,
// so a subscriber there sees the payload, and the send time in it, as the device sent it.
const chunk = new ArrayBuffer(65536);
const n = process.stdin.read(chunk);
const request = String.UTF8.decode(chunk.slice(0, n < 0 ? 0 : n));

function field(json: string, key: string): string {
  const at = json.indexOf('"' + key + '":"');
  if (at < 0) return "";
  const from = at + key.length + 4;
  const end = json.indexOf('"', from);
  return end < 0 ? "" : json.substring(from, end);
}

const topic = field(request, "topic");
const payload = field(request, "payloadBase64");
const last = topic.substring(topic.lastIndexOf("/") + 1);
process.stdout.write('{"publish":[{"topic":"bench/out/' + last + '","payloadBase64":"' + payload + '"}]}\n');
