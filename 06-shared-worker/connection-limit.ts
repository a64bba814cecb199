// How many connections one address may hold open at once. Every open socket or stream costs the server memory and
// a share of every broadcast, so one program must not open thousands of them.
// This file is not the lesson: it is identical in every step that holds connections open.

// Far above a classroom on one laptop (every window of every browser there comes from the same address), far below
// what would hurt the server. The load test, whose thousands of clients all come from 127.0.0.1, raises it.
export const MAX_CONNECTIONS_PER_ADDRESS = 200;

export class ConnectionLimit {
  private open = new Map<string, number>();

  constructor(readonly limit = MAX_CONNECTIONS_PER_ADDRESS) {}

  // True, and counted, when `address` may open one more connection; every true needs a release() later.
  tryOpen(address: string | undefined): boolean {
    const key = address ?? "";
    const count = this.open.get(key) ?? 0;
    if (count >= this.limit) {
      return false;
    }
    this.open.set(key, count + 1);
    return true;
  }

  release(address: string | undefined): void {
    const key = address ?? "";
    const count = this.open.get(key) ?? 0;
    if (count <= 1) {
      this.open.delete(key);
      return;
    }
    this.open.set(key, count - 1);
  }

  reason(): string {
    return `too many connections from your address: at most ${this.limit} at once`;
  }
}
