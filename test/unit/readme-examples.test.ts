// The TypeScript examples of README.md type-check against the package as it is: a renamed option
// or a removed method in the library fails here, not in a newcomer's editor.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repository = fileURLToPath(new URL("../../../", import.meta.url));

test("every ts example in README.md type-checks against the library", async (t) => {
  const readme = await readFile(join(repository, "README.md"), "utf8");
  const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  assert.ok(examples.length >= 4, `${examples.length} examples`);
  const directory = await mkdtemp(join(tmpdir(), "porthole-readme-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const entry = join(repository, "src", "index.js");
  await writeFile(join(directory, "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(
    join(directory, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2023", "esnext.disposable"], types: ["node"],
        typeRoots: [join(repository, "node_modules", "@types")], strict: true, noEmit: true, skipLibCheck: true,
      },
      include: ["*.ts"],
    }),
  );
  for (const [index, example] of examples.entries()) {
    await writeFile(join(directory, `example${index}.ts`), `${example.replaceAll('from "porthole"', `from ${JSON.stringify(entry)}`)}\nexport {};\n`);
  }
  const tsc = join(repository, "node_modules", ".bin", "tsc");
  const result = await promisify(execFile)(tsc, ["-p", directory]).then(
    () => "",
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  assert.equal(result, "", `README examples do not type-check:\n${result}`);
});
