import { expect, test } from "@playwright/test";
import { testBadInput } from "../../tools/testing/bad-input.ts";
import { getUpdate, postChat, request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { HISTORY_LIMIT } from "../store.ts";
import { createChatServer } from "../server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

test("a poll with the current cursor gets only the newer messages", async () => {
  const first = await getUpdate(running.url);
  const hello = await postChat(running.url, "Alice", "hello");
  const update = await getUpdate(running.url, first.epoch, 0);
  expect(update).toEqual({ epoch: first.epoch, reset: false, messages: [hello] });
  expect(await getUpdate(running.url, first.epoch, hello.id)).toEqual({
    epoch: first.epoch,
    reset: false,
    messages: [],
  });
});

test("a cursor from another epoch, or ahead of the server, gets the whole history with reset", async () => {
  const { epoch } = await getUpdate(running.url);
  const hello = await postChat(running.url, "Alice", "hello");
  expect(await getUpdate(running.url, "an-old-epoch", 7)).toEqual({ epoch, reset: true, messages: [hello] });
  expect(await getUpdate(running.url, epoch, 99)).toEqual({ epoch, reset: true, messages: [hello] });
});

test("a cursor older than the kept history gets the whole history with reset, not a gap", async () => {
  const { epoch } = await getUpdate(running.url);
  for (let index = 0; index < HISTORY_LIMIT + 5; index += 1) {
    // Many senders, so that no one of them reaches the rate limit.
    await postChat(running.url, `poster${index % 20}`, `message ${index}`);
  }
  const update = await getUpdate(running.url, epoch, 2);
  expect(update.reset).toBe(true);
  expect(update.messages).toHaveLength(HISTORY_LIMIT);
  expect(update.messages[0].id).toBe(6);
});

test("a malformed cursor gets 400 with a reason", async () => {
  for (const query of ["since=-1", "since=abc", "since=1.5", "since=1&since=2", `epoch=${"x".repeat(65)}`]) {
    const reply = await request(`${running.url}/api/messages?${query}`);
    expect(reply.status, query).toBe(400);
    expect(JSON.parse(reply.body).error, query).toMatch(/"since"|"epoch"/);
  }
});

test("200 messages from concurrent posters reach a polling client with no loss and no duplicates", async () => {
  const POSTERS = 10;
  const MESSAGES_EACH = 20;
  const expected = POSTERS * MESSAGES_EACH;
  const { epoch } = await getUpdate(running.url);

  const posting = Promise.all(
    Array.from({ length: POSTERS }, async (_, poster) => {
      for (let index = 0; index < MESSAGES_EACH; index += 1) {
        await postChat(running.url, `poster${poster}`, `message ${index}`);
      }
    }),
  );

  const received: string[] = [];
  let since = 0;
  const deadline = Date.now() + 20_000;
  while (received.length < expected && Date.now() < deadline) {
    const update = await getUpdate(running.url, epoch, since);
    expect(update.reset).toBe(false);
    for (const message of update.messages) {
      expect(message.id).toBe(since + 1);
      since = message.id;
      received.push(`${message.user}/${message.text}`);
    }
  }
  await posting;

  expect(received).toHaveLength(expected);
  expect(new Set(received).size).toBe(expected);
});

testBadInput("02-http-polling", () => running.url);
