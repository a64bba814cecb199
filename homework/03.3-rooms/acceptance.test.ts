// Acceptance test of homework 03.3: rooms (?room=), and a new message wakes the waiters of its own room only.
import { expect, test } from "../../tools/testing/browser.ts";
import { request, type Message, type Update } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer, type LongPollServer } from "../../03-http-longpolling/server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function waitingCount(): number {
  return (running.current() as LongPollServer).waitingCount();
}

async function getRoom(room: string, epoch = "", since = 0): Promise<Update> {
  const query = new URLSearchParams({ room, epoch, since: String(since) });
  const reply = await request(`${running.url}/api/messages?${query}`);
  expect(reply.status, reply.body).toBe(200);
  return JSON.parse(reply.body) as Update;
}

async function postToRoom(room: string, user: string, text: string): Promise<Message> {
  const reply = await request(`${running.url}/api/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user, text, room }),
  });
  expect(reply.status, reply.body).toBe(201);
  return JSON.parse(reply.body) as Message;
}

test("a message wakes the long polls of its own room only", async () => {
  const { epoch: epochA } = await getRoom("a");
  const { epoch: epochB } = await getRoom("b");
  const inA = getRoom("a", epochA, 0);
  const inB = getRoom("b", epochB, 0);
  await expect.poll(waitingCount).toBe(2);

  const toA = await postToRoom("a", "Alice", "to a");
  expect((await inA).messages).toEqual([toA]);
  // The poll of room b was not answered: it still waits.
  await expect.poll(waitingCount).toBe(1);

  const toB = await postToRoom("b", "Bob", "to b");
  expect((await inB).messages).toEqual([toB]);
  expect(waitingCount()).toBe(0);
});

test("each room's history holds its own messages; without ?room= the default room, as before", async () => {
  await postToRoom("a", "Alice", "in a");
  await postToRoom("b", "Bob", "in b");
  expect((await getRoom("a")).messages.map((message) => message.text)).toEqual(["in a"]);
  expect((await getRoom("b")).messages.map((message) => message.text)).toEqual(["in b"]);
  const defaultRoom = JSON.parse((await request(`${running.url}/api/messages`)).body) as Update;
  expect(defaultRoom.messages).toEqual([]);
});

for (const bad of ["a b", "x".repeat(33), "<script>", "ä"]) {
  test(`a room named ${JSON.stringify(bad)} is refused with 400 and a JSON reason`, async () => {
    const reply = await request(`${running.url}/api/messages?${new URLSearchParams({ room: bad })}`);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: expect.stringContaining("room") });
    const post = await request(`${running.url}/api/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: "Alice", text: "hi", room: bad }),
    });
    expect(post.status).toBe(400);
  });
}

test("pages in ?room=random see its messages only, and show the room's name", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  await alice.page.goto(`${running.url}/?user=Alice&room=random`);
  const carol = await openChat(running.url, "Carol");
  await carol.page.goto(`${running.url}/?user=Carol&room=random`);
  const bob = await openChat(running.url, "Bob");
  await expect(alice.page.getByText("random", { exact: true })).toBeVisible();

  await carol.send("in random");
  await alice.expectMessage("in random", "Carol");
  await bob.send("in the default room");
  await bob.expectMessage("in the default room", "Bob");
  await carol.send("random again");
  await alice.expectMessage("random again", "Carol");
  // Bob's message came before "random again": had it reached Alice's room, it would be shown by now.
  await expect(alice.log.getByRole("listitem")).toHaveCount(2);
  await expect(bob.message("in random")).toHaveCount(0);
});
