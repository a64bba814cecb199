// Acceptance test of homework 02.2: a poll with nothing new is answered 204 No Content, and the page copes.
import { expect, test } from "../../tools/testing/browser.ts";
import { getUpdate, postChat, request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../02-http-polling/server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

function poll(epoch: string, since: number) {
  return request(`${running.url}/api/messages?${new URLSearchParams({ epoch, since: String(since) })}`);
}

test("a poll with nothing new gets 204 and no body; a poll with news still gets 200 and the messages", async () => {
  // The first poll has no cursor: it gets the epoch and the history, so it must be a 200.
  const first = await getUpdate(running.url);
  const nothing = await poll(first.epoch, 0);
  expect(nothing.status).toBe(204);
  expect(nothing.body).toBe("");

  const hello = await postChat(running.url, "Alice", "hello");
  const news = await poll(first.epoch, 0);
  expect(news.status).toBe(200);
  expect(JSON.parse(news.body)).toEqual({ epoch: first.epoch, reset: false, messages: [hello] });
  expect((await poll(first.epoch, hello.id)).status).toBe(204);

  // What it saves: the empty answer of step 02 was this JSON (the headers come on top, in both cases).
  const emptyUpdate = JSON.stringify({ epoch: first.epoch, reset: false, messages: [] });
  console.log(`Measured: an empty poll's body went from ${emptyUpdate.length} bytes to ${nothing.body.length}.`);
});

test("a cursor from another epoch still gets 200 with the whole history", async () => {
  const { epoch } = await getUpdate(running.url);
  const reply = await poll("an-old-epoch", 0);
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toEqual({ epoch, reset: true, messages: [] });
});

test("the page takes 204 answers in its stride: no error, and the messages still arrive", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const answers: number[] = [];
  alice.page.on("response", (response) => {
    if (new URL(response.url()).pathname === "/api/messages") {
      answers.push(response.status());
    }
  });
  await expect
    .poll(() => answers.filter((status) => status === 204).length, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(2);
  await expect(alice.status).toContainText(/Next poll in/);
  await expect(alice.error).toBeHidden();

  await postChat(running.url, "Bob", "still there?");
  await alice.expectMessage("still there?", "Bob");
  await expect(alice.error).toBeHidden();
});
