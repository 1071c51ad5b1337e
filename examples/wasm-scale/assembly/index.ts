// Outpost example: scales raw ADC readings to engineering units, as a WebAssembly (WASI preview 1) function.
//
// Contract (docs/functions.md, "Wasm functions"): the request is one line of JSON on stdin, the result one line of
// JSON on stdout, exactly as in the process runtime's line protocol; every invocation starts from the module's initial state.
// A reading {"raw": 512} on devices/<id>/adc becomes {"value": 512 * SCALE + OFFSET} on devices/<id>/scaled.

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

// Where the value of "key" starts (after the colon and any spaces), or -1. Enough JSON for this example.
function valueStart(json: string, key: string): i32 {
  const at = json.indexOf('"' + key + '"');
  if (at < 0) return -1;
  let i = at + key.length + 2;
  while (i < json.length && (json.charCodeAt(i) == 32 || json.charCodeAt(i) == 58)) i++; // spaces and ':'
  return i;
}

// The string value of "key", or "".
function stringField(json: string, key: string): string {
  const from = valueStart(json, key);
  if (from < 0 || json.charCodeAt(from) != 34) return "";
  const end = json.indexOf('"', from + 1);
  return end < 0 ? "" : json.substring(from + 1, end);
}

// The numeric value of "key", or NaN.
function numberField(json: string, key: string): f64 {
  const from = valueStart(json, key);
  if (from < 0) return NaN;
  let end = from;
  while (end < json.length) {
    const c = json.charCodeAt(end);
    if (c == 44 || c == 125 || c == 93) break; // , } ]
    end++;
  }
  return parseFloat(json.substring(from, end).trim());
}

function envNumber(name: string, fallback: f64): f64 {
  if (!process.env.has(name)) return fallback;
  const v = parseFloat(process.env.get(name));
  return isNaN(v) ? fallback : v;
}

const request = readStdin();
const topic = stringField(request, "topic");
const levels = topic.split("/");
const raw = numberField(request, "raw");
if (levels.length < 3 || isNaN(raw)) {
  process.stdout.write('{"error":"expected {\\"raw\\": <number>} on devices/<id>/adc"}\n');
} else {
  const value = raw * envNumber("SCALE", 1.0) + envNumber("OFFSET", 0.0);
  process.stdout.write('{"publish":[{"topic":"devices/' + levels[1] + '/scaled","payload":{"value":'
    + value.toString() + '}}]}\n');
}
