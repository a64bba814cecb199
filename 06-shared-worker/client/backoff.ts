// Waiting between attempts: a countdown shown in the status line (the delay itself comes from retry.ts).
// This file is not the lesson: it is identical in every step that retries.
import { setStatus } from "./ui.js";

// Resolves after `ms`, or as soon as `signal` is aborted.
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    signal?.addEventListener("abort", finish);
  });
}

// Waits `ms` milliseconds while the status line counts down the seconds left. Aborting `signal` ends the wait early.
export async function countDown(
  ms: number,
  describe: (secondsLeft: number) => string,
  signal?: AbortSignal,
): Promise<void> {
  const end = Date.now() + ms;
  for (let left = ms; left > 0 && !signal?.aborted; left = end - Date.now()) {
    setStatus(describe(Math.ceil(left / 1000)));
    // Wake up when the number of whole seconds left changes.
    await sleep(left % 1000 || 1000, signal);
  }
}
