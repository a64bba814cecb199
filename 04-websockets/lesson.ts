// What this step prints when it starts: its title, the command that runs it, and what to try first.
// main.ts prints it; main.ts is the same in every step, so these lines have a file of their own.
export const LESSON = {
  title: "Step 04, WebSockets",
  command: "npm run example4",
  tryThis: [
    "DevTools, Network, filter Socket: one request answered 101 Switching Protocols; its Messages tab shows every frame.",
    "Type in one window: the other says who is typing. Open a second tab as Alice: Online still lists her once.",
    "Stop the server with Ctrl+C: the pages count down to a reconnect; start it again and they carry on by themselves.",
  ],
};
