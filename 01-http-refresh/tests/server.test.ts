import { expect, test } from "@playwright/test";
import { testBadInput } from "../../tools/testing/bad-input.ts";
import { getUpdate, postChat } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

test("a posted message is in the history, with an id, the trimmed text and a timestamp", async () => {
  const before = Date.now();
  const message = await postChat(running.url, "Alice", "  Hello  ");
  expect(message).toMatchObject({ id: 1, user: "Alice", text: "Hello" });
  expect(message.ts).toBeGreaterThanOrEqual(before);
  const history = await getUpdate(running.url);
  expect(history.messages).toEqual([message]);
  expect(history.reset).toBe(true);
});

test("a restarted server has a new epoch and starts its ids again", async () => {
  const first = await getUpdate(running.url);
  await postChat(running.url, "Alice", "before the restart");
  await running.restart();
  const second = await getUpdate(running.url);
  expect(second.epoch).not.toBe(first.epoch);
  expect(second.messages).toEqual([]);
  expect((await postChat(running.url, "Alice", "after the restart")).id).toBe(1);
});

testBadInput("01-http-refresh", () => running.url);
