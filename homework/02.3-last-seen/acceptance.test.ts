// Acceptance test of homework 02.3: "Alice was last seen N seconds ago", from the polls the server receives.
import type { Locator } from "@playwright/test";
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../02-http-polling/server.ts";

// Alice's page is closed; some seconds later Bob's page must say she was last seen at least this long ago.
const SECONDS_AWAY = 6;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

// The number of seconds in an item like "Alice, last seen 12 s ago" (or "… 12 seconds ago").
async function secondsIn(item: Locator): Promise<number> {
  const text = (await item.textContent()) ?? "";
  const number = /(\d+)\s*s/.exec(text);
  return number ? Number(number[1]) : Number.NaN;
}

test("a page lists when each other user last polled, and the time grows once they are gone", async ({ openChat }) => {
  test.setTimeout(90_000);
  const alice = await openChat(running.url, "Alice");
  const bob = await openChat(running.url, "Bob");
  const lastSeen = bob.page.getByRole("list", { name: "Last seen" });
  const aliceItem = lastSeen.getByRole("listitem").filter({ hasText: "Alice" });
  await expect(aliceItem).toHaveCount(1);
  await expect(lastSeen.getByRole("listitem").filter({ hasText: "Bob" })).toHaveCount(0);
  expect(await secondsIn(aliceItem)).toBeLessThan(SECONDS_AWAY);

  const answers: number[] = [];
  bob.page.on("response", async (response) => {
    if (new URL(response.url()).pathname === "/api/messages" && response.status() === 200) {
      answers.push((await response.body()).length);
    }
  });
  await alice.page.close();
  await expect.poll(() => secondsIn(aliceItem), { timeout: 30_000 }).toBeGreaterThanOrEqual(SECONDS_AWAY);
  console.log(`Measured: Bob's polls were answered with ${answers.join(", ")} bytes of body (no new message).`);
});
