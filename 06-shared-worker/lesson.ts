// What this step prints when it starts: its title, the command that runs it, and what to try first.
// main.ts prints it; main.ts is the same in every step, so these lines have a file of their own.
export const LESSON = {
  title: "Step 06, one WebSocket per browser (SharedWorker and BroadcastChannel)",
  command: "npm run example6",
  tryThis: [
    "Open five tabs as Alice: the server holds one WebSocket for all of them. Open Bob in a private window: a second one.",
    "The page's Network panel shows no WebSocket: open chrome://inspect/#workers and inspect the worker to see its frames.",
    "Sign out in one tab: every tab of the browser signs out at once (BroadcastChannel).",
  ],
};
