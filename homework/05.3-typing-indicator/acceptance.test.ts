// Acceptance test of homework 05.3: the typing indicator of step 04, over Server-Sent Events: a POST /api/typing
// from the page that types, and an `event: typing` in the other pages' streams.
import { expect, test } from "../../tools/testing/browser.ts";
import { request } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../05-sse/server.ts";
import { EventStream } from "../../tools/clients/event-stream.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

function postTyping(body: string) {
  return request(`${running.url}/api/typing`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
}

test("POST /api/typing puts an event: typing with the user into the other streams", async () => {
  const bob = await EventStream.open(`${running.url}/api/events?user=Bob`);
  await expect.poll(() => bob.data("online").length).toBe(1);
  const body = JSON.stringify({ user: "Alice" });
  const reply = await postTyping(body);
  expect(reply.status, reply.body).toBeGreaterThanOrEqual(200);
  expect(reply.status, reply.body).toBeLessThan(300);
  // The course's stream client knows the step's own events only: a typing event is read from its raw data.
  const typingNotices = () =>
    bob.events.filter((event) => event.event === "typing").map((event) => JSON.parse(event.data));
  await expect.poll(typingNotices).toEqual([{ user: "Alice" }]);

  // What one notice costs: the POST's body and answer, and the event in each other stream (headers not counted).
  const event = bob.text.slice(bob.text.lastIndexOf("id:"));
  console.log(
    `Measured: one typing notice = a POST with ${body.length} bytes of body, answered with ${reply.body.length}, ` +
      `and ${Buffer.byteLength(event)} bytes in each other stream.`,
  );
  bob.close();
});

for (const { name, body } of [
  { name: "no user", body: "{}" },
  { name: "a name over 32 characters", body: JSON.stringify({ user: "x".repeat(33) }) },
  { name: "a body that is not JSON", body: "typing" },
]) {
  test(`POST /api/typing with ${name} is refused with 400 and a JSON reason`, async () => {
    const reply = await postTyping(body);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: expect.any(String) });
  });
}

test("while Alice types, Bob's page says so; when her message arrives, it stops saying so", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  await expect(bob.online.getByRole("listitem")).toHaveCount(2);

  await alice.input.pressSequentially("Hello B");
  await expect(bob.page.getByText("Alice is typing…")).toBeVisible();
  await expect(alice.page.getByText("Alice is typing…")).toHaveCount(0);

  await alice.input.pressSequentially("ob");
  await alice.sendButton.click();
  await bob.expectMessage("Hello Bob", "Alice");
  await expect(bob.page.getByText("Alice is typing…")).toHaveCount(0, { timeout: 1000 });
});
