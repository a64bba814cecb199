// The delay before the next attempt after an error. No DOM code here, so step 06's worker uses it too.
// This file is not the lesson: it is identical in every step that retries.

export const RETRY_BASE_MS = 1000;
export const RETRY_CAP_MS = 30_000;

// Exponential backoff with jitter: 1 s, 2 s, 4 s … up to 30 s, each time a random delay between half
// and all of that. The randomness spreads out the retries of many pages after a server restart,
// so they do not all come back in the same millisecond.
export function retryDelay(failures: number): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (failures - 1));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}
