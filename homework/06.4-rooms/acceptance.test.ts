// Acceptance test of homework 06.4: rooms, over the one WebSocket of the browser.
// It tests what a user and a program can see: pages with ?room= in their address, and raw WebSocket clients that
// speak the frames the exercise describes (README.md). It fails on the untouched step 06 and passes once rooms work.
import { once } from "node:events";
import type { BrowserContext } from "@playwright/test";
import { WebSocket } from "ws";
import { expect, test, type ChatWindow } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type WebSocketChatServer } from "../../06-shared-worker/server.ts";

// The limits the exercise asks for (README.md, "Done when").
const MAX_ROOMS = 100;
const MAX_ROOMS_PER_CONNECTION = 20;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function connectionCount(): number {
  return (running.current() as WebSocketChatServer).connectionCount();
}

// A raw client of the server, as the worker is one: it counts the answers to its joins.
async function joinRooms(user: string, rooms: string[]): Promise<{ joined: string[]; refused: string[] }> {
  const socket = new WebSocket(`ws://127.0.0.1:${running.port}/ws?user=${encodeURIComponent(user)}`, {
    origin: running.url,
  });
  await once(socket, "open");
  const answers = { joined: [] as string[], refused: [] as string[] };
  socket.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; room?: string };
    if (frame.type === "history") {
      answers.joined.push(frame.room ?? "");
    }
    if (frame.type === "error") {
      answers.refused.push(frame.room ?? "");
    }
  });
  for (const room of rooms) {
    socket.send(JSON.stringify({ type: "join", room, epoch: "", since: 0 }));
  }
  await expect.poll(() => answers.joined.length + answers.refused.length).toBe(rooms.length);
  return answers;
}

type OpenChat = (baseUrl: string, user: string, context?: BrowserContext) => Promise<ChatWindow>;

// A tab of `room`, in the browser profile of `sameBrowserAs` if given.
async function openRoom(
  openChat: OpenChat,
  user: string,
  room: string,
  sameBrowserAs?: ChatWindow,
): Promise<ChatWindow> {
  const window = await openChat(running.url, user, sameBrowserAs?.page.context());
  await window.page.goto(`${running.url}/?user=${encodeURIComponent(user)}&room=${room}`);
  return window;
}

test("a tab with ?room= shows that room's messages only, over the WebSocket its browser already has", async ({
  openChat,
}) => {
  const aliceGeneral = await openChat(running.url, "Alice");
  const aliceRandom = await openRoom(openChat, "Alice", "random", aliceGeneral);
  const bob = await openChat(running.url, "Bob");
  await expect(aliceRandom.page.getByText("random", { exact: true })).toBeVisible();
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
  expect(connectionCount()).toBe(2);

  await bob.send("to the default room");
  await aliceGeneral.expectMessage("to the default room", "Bob");
  await aliceRandom.send("to random");
  await aliceRandom.expectMessage("to random", "Alice");
  // "to random" was sent after the other message: had that one been shown in this tab, it would be there by now.
  await expect(aliceRandom.log.getByRole("listitem")).toHaveCount(1);
  await expect(aliceGeneral.message("to random")).toHaveCount(0);
  await expect(bob.message("to random")).toHaveCount(0);
});

test("five connections in twenty rooms each cannot lock the pages out of the default room", async ({ openChat }) => {
  const answers = [];
  for (let connection = 0; connection < MAX_ROOMS / MAX_ROOMS_PER_CONNECTION; connection += 1) {
    const rooms = Array.from({ length: MAX_ROOMS_PER_CONNECTION }, (_, index) => `filler-${connection}-${index}`);
    answers.push(await joinRooms(`filler${connection}`, rooms));
  }
  // Every room but one found a place: the default room keeps the last one.
  expect(answers.flatMap((answer) => answer.joined)).toHaveLength(MAX_ROOMS - 1);

  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await expect(alice.status).toContainText("Connected");
  await bob.send("the default room still works");
  await alice.expectMessage("the default room still works", "Bob");
  await expect(alice.error).toBeHidden();
});

test("one connection may be in a bounded number of rooms, and a join past it is refused with its room named", async () => {
  const rooms = Array.from({ length: MAX_ROOMS_PER_CONNECTION + 1 }, (_, index) => `room-${index}`);
  const answers = await joinRooms("Greedy", rooms);
  expect(answers.joined).toEqual(rooms.slice(0, MAX_ROOMS_PER_CONNECTION));
  expect(answers.refused).toEqual([rooms.at(-1)]);
});
