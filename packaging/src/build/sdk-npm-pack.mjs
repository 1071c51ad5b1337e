// Puts the npm packages of the wasm scaffold's build into the SDK (sdk/npm): for each package of the pinned list
// (gateway-daemon's templates/wasm/npm-packages: name, version, needed-by, integrity), its `npm pack` tarball, checked
// against the pinned sha512 integrity. Tarballs already there with the right integrity are kept (a rebuild needs no
// registry); anything else in the directory is removed, so a version change leaves no stale tarball behind.
//
// Usage: node sdk-npm-pack.mjs LIST DIR
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

function fail(message) {
  console.error(`sdk-npm-pack: ${message}`);
  process.exit(1);
}

const [list, dir] = process.argv.slice(2);
if (!list || !dir) fail("usage: node sdk-npm-pack.mjs LIST DIR");

const packages = readFileSync(list, "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"))
  .map((line) => {
    const [name, version, neededBy, integrity] = line.split(/\s+/);
    if (!integrity || !integrity.startsWith("sha512-")) fail(`${list}: expected 'name version needed-by sha512-...': ${line}`);
    // the file name `npm pack` gives: @scope/name@1.0.0 -> scope-name-1.0.0.tgz
    return { name, version, neededBy, integrity, file: `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz` };
  });

const integrityOf = (path) => "sha512-" + createHash("sha512").update(readFileSync(path)).digest("base64");

mkdirSync(dir, { recursive: true });
const wanted = new Set(packages.map((p) => p.file));
for (const entry of readdirSync(dir)) {
  if (!wanted.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
}
const missing = packages.filter((p) => !existsSync(join(dir, p.file)) || integrityOf(join(dir, p.file)) !== p.integrity);
if (missing.length > 0) {
  const specs = missing.map((p) => `${p.name}@${p.version}`);
  const npm = spawnSync("npm", ["pack", ...specs, "--pack-destination", dir, "--ignore-scripts", "--json"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (npm.error) fail(`cannot run npm (${npm.error.code}): the SDK's npm packages need Node.js and npm at build time`);
  if (npm.status !== 0) fail(`npm pack ${specs.join(" ")} exited ${npm.status}`);
}
let bytes = 0;
for (const p of packages) {
  const path = join(dir, p.file);
  if (!existsSync(path)) fail(`npm pack wrote no ${p.file} for ${p.name}@${p.version}`);
  const actual = integrityOf(path);
  if (actual !== p.integrity) {
    rmSync(path);
    fail(`${p.name}@${p.version}: integrity ${actual}, but ${list} pins ${p.integrity}`);
  }
  bytes += statSync(path).size;
}
console.log(`sdk-npm-pack: ${packages.length} packages in ${dir} (${(bytes / 1e6).toFixed(1)} MB), integrity checked`);
