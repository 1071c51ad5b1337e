// The percentile rule every MQTT.js benchmark script reports with: nearest rank on sorted values
// (the value at floor(n * p), the last one for p = 1); null when there are none.
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}
