import { cp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { applyMutant, type Mutant } from "./mutants.js";

/**
 * A private copy of the compiled project in which one mutant at a time is written: a copy of
 * build/ beside links to what the tests read from the repository (fixtures, sources, packages).
 * Tests find these by paths relative to their own compiled file, so the layout is the repository's.
 */
export class ScratchRoot {
  readonly root: string;
  readonly buildDirectory: string;

  private constructor(root: string) {
    this.root = root;
    this.buildDirectory = path.join(root, "build");
  }

  static async create(repository: string, root: string): Promise<ScratchRoot> {
    await mkdir(root, { recursive: true });
    await cp(path.join(repository, "build"), path.join(root, "build"), { recursive: true });
    await cp(path.join(repository, "package.json"), path.join(root, "package.json"));
    for (const linked of ["node_modules", "test", "src"]) await symlink(path.join(repository, linked), path.join(root, linked));
    return new ScratchRoot(root);
  }

  /** Writes the mutant into the copy, runs `body`, and puts the original back whatever happens. */
  async withMutant<T>(mutant: Mutant, original: string, body: () => Promise<T>): Promise<T> {
    const file = path.join(this.buildDirectory, mutant.file);
    await writeFile(file, applyMutant(original, mutant));
    try {
      return await body();
    } finally {
      await writeFile(file, original);
    }
  }

  async read(file: string): Promise<string> {
    return readFile(path.join(this.buildDirectory, file), "utf8");
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
