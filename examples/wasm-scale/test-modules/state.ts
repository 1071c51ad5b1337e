// Test module for warm-instance reuse: reports what a previous invocation could have left behind (a global it
// counts in, pages it grew, a mark it wrote beyond the heap) and traps when the request asks for it.
let calls: i32 = 0;
calls++;
const pages = memory.size();
memory.grow(1);
const mark = <usize>pages << 16;
const previous = load<i32>(mark);
store<i32>(mark, 42);
const chunk = new ArrayBuffer(4096);
const n = process.stdin.read(chunk);
const request = String.UTF8.decode(chunk.slice(0, n));
if (request.includes("trap")) unreachable();
process.stdout.write('{"publish":[{"topic":"out/state","payload":{"calls":' + calls.toString() + ',"pages":'
  + pages.toString() + ',"mark":' + previous.toString() + '}}]}\n');
