// Test module for the runtime's memory-page limit: keeps 64 KiB blocks alive until memory cannot grow.
const kept = new Array<ArrayBuffer>();
while (true) {
  kept.push(new ArrayBuffer(65536));
}
