// Outpost wasm function {{name}}: {"name": "Ada"} on {{name}}/in becomes {"greeting": "Hello, Ada!"} on {{name}}/out.
//
// Contract (docs/functions.md, "Wasm functions"): the request is one line of JSON on stdin (as in the process
// runtime's line protocol), the result one line of JSON on stdout; one module instance runs per invocation.

function readStdin(): string {
  let chunks = new Array<ArrayBuffer>();
  let total = 0;
  while (true) {
    const chunk = new ArrayBuffer(4096);
    const n = process.stdin.read(chunk);
    if (n <= 0) break;
    chunks.push(chunk.slice(0, n));
    total += n;
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    all.set(Uint8Array.wrap(chunks[i]), at);
    at += chunks[i].byteLength;
  }
  return String.UTF8.decode(all.buffer);
}

// The string value of "key" in the JSON text, or the fallback. Enough JSON for this example: no escapes.
function stringField(json: string, key: string, fallback: string): string {
  const at = json.indexOf('"' + key + '"');
  if (at < 0) return fallback;
  let i = at + key.length + 2;
  while (i < json.length && (json.charCodeAt(i) == 32 || json.charCodeAt(i) == 58)) i++; // spaces and ':'
  if (i >= json.length || json.charCodeAt(i) != 34) return fallback;
  const end = json.indexOf('"', i + 1);
  return end < 0 ? fallback : json.substring(i + 1, end);
}

const request = readStdin();
const name = stringField(request, "name", "stranger");
process.stderr.write("greeting " + name + "\n");
process.stdout.write('{"publish":[{"topic":"{{name}}/out","qos":1,"payload":{"greeting":"Hello, ' + name + '!"}}]}\n');
