// What this step prints when it starts: its title, the command that runs it, and what to try first.
// main.ts prints it; main.ts is the same in every step, so these lines have a file of their own.
export const LESSON = {
  title: "Step 01, HTTP with manual refresh",
  command: "npm run example1",
  tryThis: [
    "Send a message as Bob: Alice does not see it until she reloads her page.",
    "DevTools, Network: one GET /api/messages per page load, one POST and one GET per message sent, nothing in between.",
  ],
};
