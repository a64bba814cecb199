// `npm run exampleN`: builds step N's page, then rebuilds it on change and restarts its server on change.
// Usage: tsx tools/dev.ts <step>
import { execFileSync } from "node:child_process";
import net from "node:net";
import concurrently from "concurrently";
import { browserProjects, findStep, ROOT } from "./steps.ts";

const DEFAULT_PORT = 3000;
const step = findStep(process.argv[2]);
const projects = browserProjects(step);
const requestedPort = Number(process.env.PORT ?? DEFAULT_PORT);

// The server reports a busy port too, but under `tsx watch` it would then wait for a file change: check first.
// Resolves with the port that is free: PORT=0 asks the system for one, chosen once here, so that every restart
// of the server uses the same port and open pages can reconnect to it.
function findFreePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => {
      console.error(
        `Port ${requestedPort} is already in use (is another example still running?). Stop it, or choose another port: PORT=3001 npm run example${step.number}`,
      );
      process.exit(1);
    });
    probe.listen(requestedPort, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const port = await findFreePort();

// Build once before the server starts, so the first page load already has its script.
execFileSync("npx", ["tsc", "--build", ...projects], { cwd: ROOT, stdio: "inherit" });

const { result } = concurrently(
  [
    { name: "page", command: `npx tsc --build --watch --preserveWatchOutput ${projects.join(" ")}` },
    // tsx restarts the server whenever one of its files changes; open pages must then recover by themselves.
    {
      name: "server",
      command: `npx tsx watch --clear-screen=false ${step.folder}/main.ts`,
      env: { PORT: String(port) },
    },
  ],
  { cwd: ROOT, killOthersOn: ["failure", "success"], prefixColors: ["blue", "green"] },
);

result.catch(() => process.exit(1));
