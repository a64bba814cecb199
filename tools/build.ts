// Compiles (and so type-checks) the browser code of every step, or of the steps named, into each step's public/js.
// Usage: tsx tools/build.ts [step ...]
import { execFileSync } from "node:child_process";
import { availableSteps, browserProjects, findStep, ROOT } from "./steps.ts";

const names = process.argv.slice(2);
const steps = names.length > 0 ? names.map(findStep) : availableSteps();
const projects = steps.flatMap((step) => browserProjects(step));

execFileSync("npx", ["tsc", "--build", ...projects], { cwd: ROOT, stdio: "inherit" });
