// Step 04 with the reference solution of homework 04.4 applied, in a temporary folder that shares this checkout's
// node_modules: what `npm run scale` and `npm run load:scale` run, without touching the working copy. The copy has
// the tools too, so that the load test's server process (tools/load/server.ts) finds the solved step there.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../steps.ts";

export const STEP_FOLDER = "04-websockets";
const SOLUTION_PATCH = join(ROOT, "homework", "04.4-two-servers", "solution.patch");
// What the copy needs besides the step: ESM ("type": "module") and the compiler settings of the page.
const ROOT_FILES = ["package.json", "tsconfig.json", "tsconfig.client.json"];

export interface SolvedStep {
  // The copy's root; the step is in root/04-websockets.
  root: string;
  remove(): void;
}

export function copySolvedStep(): SolvedStep {
  const root = mkdtempSync(join(tmpdir(), "course-scale-"));
  const remove = (): void => rmSync(root, { recursive: true, force: true });
  for (const file of ROOT_FILES) {
    cpSync(join(ROOT, file), join(root, file));
  }
  // The step as git has it: changes in the working copy (homework in progress) stay out.
  execFileSync("git", ["archive", "--format=tar", "--output", join(root, "step.tar"), "HEAD", STEP_FOLDER, "tools"], {
    cwd: ROOT,
  });
  execFileSync("tar", ["-xf", "step.tar"], { cwd: root });
  rmSync(join(root, "step.tar"));
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "junction");
  try {
    execFileSync("git", ["apply", SOLUTION_PATCH], { cwd: root, stdio: "pipe" });
  } catch (error) {
    remove();
    const reason = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
    console.error(`The reference solution of homework 04.4 does not apply to ${STEP_FOLDER}:\n${reason}`);
    console.error("The step changed after the solution was written: the solution must be made again.");
    process.exit(1);
  }
  execFileSync("npx", ["tsc", "--build", `${STEP_FOLDER}/client`], { cwd: root, stdio: "inherit" });
  return { root, remove };
}
