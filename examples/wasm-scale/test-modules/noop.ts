// Benchmark module: the smallest valid reply, so the runtime's own cost per invocation is what is measured.
process.stdout.write('{"publish":[]}\n');
