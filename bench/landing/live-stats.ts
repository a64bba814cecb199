// The live table on the landing page of `npm run all`: what each step's server holds now.
// Every STATS_INTERVAL_MS it asks the landing page's own server (GET /stats), which asks each step's GET /api/stats.
// It never calls a step itself, so the steps' Network panels show only their own pages' traffic.

const STATS_INTERVAL_MS = 2000;

// What a step's GET /api/stats answers. The last four fields exist only in the steps whose technique has them.
interface StepStats {
  epoch: string;
  messagesStored: number;
  newestId: number;
  tcpConnections: number;
  waitingPolls?: number;
  openStreams?: number;
  openSockets?: number;
  usersOnline?: Record<string, number>;
}

interface StepRow {
  number: number;
  title: string;
  stats?: StepStats;
  error?: string;
}

const table = document.querySelector<HTMLTableSectionElement>("#live-stats tbody");
const note = document.querySelector<HTMLElement>("#live-stats-note");

async function refresh(): Promise<void> {
  try {
    const reply = await fetch("/stats", { cache: "no-store" });
    render((await reply.json()) as StepRow[]);
    setNote(`Updated every ${STATS_INTERVAL_MS / 1000} s, at ${new Date().toLocaleTimeString()}.`);
  } catch {
    setNote("The landing page's server is not answering: is `npm run all` still running?");
  }
  setTimeout(refresh, STATS_INTERVAL_MS);
}

function render(rows: StepRow[]): void {
  table?.replaceChildren(...rows.map(renderRow));
}

function renderRow(row: StepRow): HTMLTableRowElement {
  const cells = row.stats
    ? [
        heldOpen(row.stats),
        String(row.stats.tcpConnections),
        usersOnline(row.stats),
        String(row.stats.messagesStored),
        row.stats.epoch.slice(0, 8),
      ]
    : [row.error ?? "no answer", "", "", "", ""];
  const tr = document.createElement("tr");
  for (const text of [`${row.number}. ${row.title}`, ...cells]) {
    const td = document.createElement("td");
    // Names come from users: text, never HTML.
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

// What the technique keeps open for its pages: nothing (01, 02), held polls (03), streams (05) or sockets (04, 06).
function heldOpen(stats: StepStats): string {
  if (stats.waitingPolls !== undefined) {
    return plural(stats.waitingPolls, "waiting poll");
  }
  if (stats.openStreams !== undefined) {
    return plural(stats.openStreams, "event stream");
  }
  if (stats.openSockets !== undefined) {
    return plural(stats.openSockets, "WebSocket");
  }
  return "nothing between requests";
}

// "Alice (3), Bob (1)": each user online with the connections the server holds for them.
function usersOnline(stats: StepStats): string {
  if (stats.usersOnline === undefined) {
    return "not tracked";
  }
  const users = Object.entries(stats.usersOnline).map(([user, connections]) => `${user} (${connections})`);
  return users.length === 0 ? "nobody" : users.join(", ");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function setNote(text: string): void {
  if (note) {
    note.textContent = text;
  }
}

void refresh();
