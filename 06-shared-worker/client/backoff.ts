// Waiting between attempts: the retry delay after errors, and a countdown shown in the status line.
// This file is not the lesson: it is identical in every step that retries.
import { setStatus } from "./ui.js";

export const RETRY_BASE_MS = 1000;
export const RETRY_CAP_MS = 30_000;

// Exponential backoff with jitter: 1 s, 2 s, 4 s … up to 30 s, each time a random delay between half
// and all of that. The randomness spreads out the retries of many pages after a server restart,
// so they do not all come back in the same millisecond.
export function retryDelay(failures: number): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (failures - 1));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

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
export async function countDown(ms: number, describe: (secondsLeft: number) => string, signal?: AbortSignal): Promise<void> {
  const end = Date.now() + ms;
  for (let left = ms; left > 0 && !signal?.aborted; left = end - Date.now()) {
    setStatus(describe(Math.ceil(left / 1000)));
    // Wake up when the number of whole seconds left changes.
    await sleep(left % 1000 || 1000, signal);
  }
}
