// Acceptance test of homework 01.1: a Refresh button that loads the history without reloading the page.
import type { Page } from "@playwright/test";
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../01-http-refresh/server.ts";

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

// Every time the page itself is loaded again (a reload, a form that navigates), this counts one.
function countPageLoads(page: Page): () => number {
  let loads = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) {
      loads += 1;
    }
  });
  return () => loads;
}

test("Refresh shows the others' new messages, and the page is not reloaded", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const pageLoads = countPageLoads(alice.page);
  const bob = await openChat(running.url, "Bob");
  await bob.send("Hello from Bob");
  await bob.expectMessage("Hello from Bob", "Bob");
  await expect(alice.message("Hello from Bob")).toHaveCount(0);

  // A half-typed message would be lost by a reload: it must survive a refresh.
  await alice.input.fill("a draft");
  await alice.page.getByRole("button", { name: "Refresh" }).click();
  await alice.expectMessage("Hello from Bob", "Bob");
  await expect(alice.input).toHaveValue("a draft");
  expect(pageLoads(), "page loads after the first").toBe(0);
});

test("each click on Refresh asks the server again (the test prints what one click costs)", async ({ openChat }) => {
  const alice = await openChat(running.url, "Alice");
  const refresh = alice.page.getByRole("button", { name: "Refresh" });
  await refresh.click();
  const requests: string[] = [];
  alice.page.on("requestfinished", (request) =>
    requests.push(`${request.method()} ${new URL(request.url()).pathname}`),
  );
  const bob = await openChat(running.url, "Bob");
  for (const text of ["one", "two"]) {
    await bob.send(text);
    await refresh.click();
    await alice.expectMessage(text, "Bob");
  }
  expect(requests.length, "requests after two clicks on Refresh").toBeGreaterThanOrEqual(2);
  console.log(`Measured: two clicks on Refresh made ${requests.length} requests: ${requests.join(", ")}.`);
});
