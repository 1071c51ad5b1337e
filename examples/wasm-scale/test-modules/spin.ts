// Test module for the runtime's execution deadline: never returns.
let n: i64 = 0;
while (true) {
  n++;
}
