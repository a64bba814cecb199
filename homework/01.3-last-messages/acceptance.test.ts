// Acceptance test of homework 01.3: GET /api/messages?limit=N answers the last N messages only.
import { expect, test } from "@playwright/test";
import { postChat, request, type Update } from "../../tools/testing/http.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../01-http-refresh/server.ts";

const MESSAGES = 25;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
  // One sender may post 20 messages every 10 s (rate-limit.ts): 25 messages come from five senders.
  for (let index = 1; index <= MESSAGES; index += 1) {
    await postChat(running.url, `User${index % 5}`, `message ${index}`);
  }
});
test.afterEach(() => running.stop());

async function getMessages(query: string): Promise<{ status: number; body: unknown }> {
  const reply = await request(`${running.url}/api/messages${query}`);
  return { status: reply.status, body: JSON.parse(reply.body) as unknown };
}

function texts(body: unknown): string[] {
  return (body as Update).messages.map((message) => message.text);
}

test("?limit=20 answers the last 20 messages, oldest first", async () => {
  const reply = await getMessages("?limit=20");
  expect(reply.status).toBe(200);
  expect(texts(reply.body)).toEqual(Array.from({ length: 20 }, (_, index) => `message ${index + 6}`));
});

test("?limit=1 answers the newest message, and a limit over the history answers all of it", async () => {
  expect(texts((await getMessages("?limit=1")).body)).toEqual([`message ${MESSAGES}`]);
  expect(texts((await getMessages("?limit=1000")).body)).toHaveLength(MESSAGES);
});

test("without a limit, the whole history, as before", async () => {
  const reply = await getMessages("");
  expect(reply.status).toBe(200);
  expect(texts(reply.body)).toHaveLength(MESSAGES);
});

for (const bad of ["abc", "0", "-5", "2.5", "20abc", "1e3"]) {
  test(`?limit=${bad} is refused with 400 and a JSON reason`, async () => {
    const reply = await getMessages(`?limit=${bad}`);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: expect.stringContaining("limit") });
  });
}

test("?limit= given twice is refused with 400", async () => {
  const reply = await getMessages("?limit=5&limit=6");
  expect(reply.status).toBe(400);
});
