// Acceptance test of homework 01.2: the page checks the length of the name before it sends anything.
import type { Page } from "@playwright/test";
import { expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../01-http-refresh/server.ts";

// The server's limit (validation.ts): the page must apply the same one.
const MAX_USER_LENGTH = 32;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(createChatServer);
});
test.afterEach(() => running.stop());

// The messages this page posted, whatever the server answered.
function recordPosts(page: Page): string[] {
  const posts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") {
      posts.push(request.postData() ?? "");
    }
  });
  return posts;
}

test("a name over 32 characters is refused by the page, with the reason, and nothing is sent", async ({ openChat }) => {
  const window = await openChat(running.url, "N".repeat(MAX_USER_LENGTH + 1));
  const posts = recordPosts(window.page);
  await window.input.fill("hello");
  await window.input.press("Enter");
  await expect(window.error).toContainText(`at most ${MAX_USER_LENGTH} characters`);
  expect(posts, "POST requests sent by the page").toEqual([]);
  await expect(window.log.getByRole("listitem")).toHaveCount(0);
});

test("a name of exactly 32 characters still sends", async ({ openChat }) => {
  const user = "x".repeat(MAX_USER_LENGTH);
  const window = await openChat(running.url, user);
  await window.send("hello");
  await window.expectMessage("hello", user);
  await expect(window.error).toBeHidden();
});
