// Who is online: a count of open connections per user name, so that a user with two tabs open
// stays online until the last one closes. This file is not the lesson: it is identical in every step with presence.

export class Presence {
  private connections = new Map<string, number>();

  // Returns true when this connection brought the user online (their first one).
  join(user: string): boolean {
    const open = this.connections.get(user) ?? 0;
    this.connections.set(user, open + 1);
    return open === 0;
  }

  // Returns true when this was the user's last connection, so they are now offline.
  leave(user: string): boolean {
    const open = this.connections.get(user) ?? 0;
    if (open <= 1) {
      this.connections.delete(user);
      return open === 1;
    }
    this.connections.set(user, open - 1);
    return false;
  }

  // How many connections this user has open now (0 when offline).
  connectionsOf(user: string): number {
    return this.connections.get(user) ?? 0;
  }

  // Each user online with their number of open connections, for GET /api/stats.
  connectionsByUser(): Record<string, number> {
    return Object.fromEntries(this.users().map((user) => [user, this.connectionsOf(user)]));
  }

  users(): string[] {
    return [...this.connections.keys()].sort((a, b) => a.localeCompare(b));
  }
}
