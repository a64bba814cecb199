// Finding a program the tooling runs as a child process (nginx, redis-server): the path in its environment variable,
// else the first on the PATH, else where the system's packages install it.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export function findExecutable(name: string, pathVariable: string, systemPaths: string[]): string | undefined {
  const chosen = process.env[pathVariable];
  if (chosen) {
    return isExecutable(chosen) ? chosen : undefined;
  }
  const onPath = (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((folder) => join(folder, name));
  return [...onPath, ...systemPaths].find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
