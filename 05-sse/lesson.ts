// What this step prints when it starts: its title, the command that runs it, and what to try first.
// main.ts prints it; main.ts is the same in every step, so these lines have a file of their own.
export const LESSON = {
  title: "Step 05, Server-Sent Events",
  command: "npm run example5",
  tryThis: [
    "DevTools, Network: one GET /api/events stays open; its EventStream tab lists every event with its id.",
    "Stop the server with Ctrl+C and start it again: the browser reconnects by itself, with Last-Event-ID.",
    "Open the page in seven tabs of the same browser: the seventh does not load (six connections per origin).",
  ],
};
