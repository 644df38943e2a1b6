/**
 * A policy directory as it was at a git revision, read with git (ls-tree and cat-file) into a
 * temporary directory: no checkout, the working tree is never touched.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";

/** A materialized revision: where its files are, and how to remove them. */
export interface RevisionTree {
  readonly dir: string;
  /** The commit the revision resolved to. */
  readonly commit: string;
  readonly remove: () => void;
}

/** Why a revision could not be read (an unknown revision, not a git repository, no policy files). */
export class GitSourceError extends Error {}

function git(cwd: string, args: readonly string[]): Buffer {
  try {
    return execFileSync("git", [...args], { cwd, maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new GitSourceError(stderr || (error as Error).message);
  }
}

/**
 * Writes the files under `dir` as they are at `revision` into a fresh temporary directory, with
 * the same relative paths. Regular files only (symbolic links and submodules are skipped).
 */
export function readRevision(dir: string, revision: string): RevisionTree {
  if (revision.startsWith("-")) throw new GitSourceError(`\`${revision}\` is not a revision`);
  const commit = git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`])
    .toString()
    .trim();
  if (commit === "") throw new GitSourceError(`\`${revision}\` is not a commit`);
  const listing = git(dir, ["ls-tree", "-r", "-z", commit, "--", "."]).toString("utf8");
  const out = mkdtempSync(join(tmpdir(), "gatehouse-base-"));
  const root = resolve(out);
  try {
    for (const entry of listing.split("\0")) {
      const match = /^(100644|100755) blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
      if (!match) continue;
      const target = resolve(root, match[3]!);
      // INVARIANT: git paths are relative and free of `..`; refuse anything that would escape.
      if (!target.startsWith(root + sep)) throw new GitSourceError(`unsafe path \`${match[3]}\` in ${revision}`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, git(dir, ["cat-file", "blob", match[2]!]));
    }
  } catch (error) {
    rmSync(out, { recursive: true, force: true });
    throw error;
  }
  return { dir: out, commit, remove: () => rmSync(out, { recursive: true, force: true }) };
}
