// What this step prints when it starts: its title, the command that runs it, and what to try first.
// main.ts prints it; main.ts is the same in every step, so these lines have a file of their own.
export const LESSON = {
  title: "Step 03, long polling",
  command: "npm run example3",
  tryThis: [
    "Send as Bob: Alice sees it at once, because her request was already waiting for it.",
    "DevTools, Network: a GET /api/messages stays pending for up to 25 s, then the page asks again at once.",
    "Stop the server with Ctrl+C: the page backs off; start it again and the page recovers by itself.",
  ],
};
