// Runs dist/handler.wasm as the daemon does (WASI preview 1, the request on stdin, the result on stdout): node --test
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";

async function invoke(topic, payload) {
  const dir = await mkdtemp(join(tmpdir(), "{{name}}-test-"));
  try {
    const request = { id: 1, function: "{{name}}", version: "0.0.0-test", topic, payload, qos: 0 };
    await writeFile(join(dir, "stdin"), JSON.stringify(request) + "\n");
    const stdin = await open(join(dir, "stdin"), "r");
    const stdout = await open(join(dir, "stdout"), "w");
    try {
      const wasi = new WASI({ version: "preview1", args: ["handler.wasm"], env: {}, stdin: stdin.fd, stdout: stdout.fd,
        returnOnExit: true });
      const module = await WebAssembly.compile(await readFile(new URL("../dist/handler.wasm", import.meta.url)));
      wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
    } finally {
      await stdin.close();
      await stdout.close();
    }
    return JSON.parse((await readFile(join(dir, "stdout"), "utf8")).trim());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("greets by name", async () => {
  const result = await invoke("{{name}}/in", { name: "Ada" });
  assert.deepEqual(result.publish, [{ topic: "{{name}}/out", qos: 1, payload: { greeting: "Hello, Ada!" } }]);
});

test("greets a stranger when no name is given", async () => {
  const result = await invoke("{{name}}/in", {});
  assert.deepEqual(result.publish[0].payload, { greeting: "Hello, stranger!" });
});
