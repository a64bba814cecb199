// What this step prints when it starts: its title, the command that runs it, and what to try first.
// main.ts prints it; main.ts is the same in every step, so these lines have a file of their own.
export const LESSON = {
  title: "Step 02, short polling",
  command: "npm run example2",
  tryThis: [
    "Send as Bob: Alice sees it within 3 s, when her next poll comes (the status counts down).",
    "DevTools, Network: a GET /api/messages?epoch=…&since=… every 3 s, nearly all with an empty answer.",
    "Stop the server with Ctrl+C: the page backs off; start it again and the page recovers by itself.",
  ],
};
