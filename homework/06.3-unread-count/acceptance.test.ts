// Acceptance test of homework 06.3: while no tab of the browser is shown, the title of each of its tabs counts the
// messages that arrived, the same count in every tab; as soon as one tab is shown, the count goes in all of them.
// Headless Chromium shows every page, so the test makes a page believe it was hidden: it sets document.hidden and
// document.visibilityState and fires visibilitychange, as the browser does when the user switches tabs.
import { expect, setHidden, test, type OpenChat } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../06-shared-worker/server.ts";

// A title that starts with an unread count, like "(3) Chat".
const ANY_COUNT = /^\(\d+\)/;

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

// Two tabs of Alice's browser and Bob's, everyone online.
async function openTabs(openChat: OpenChat) {
  const first = await openChat(running.url, "Alice");
  const second = await openChat(running.url, "Alice", first.page.context());
  const bob = await openChat(running.url, "Bob");
  for (const window of [first, second, bob]) {
    await expect(window.online.getByRole("listitem")).toHaveCount(2);
  }
  return { first, second, bob };
}

test("while every tab of the browser is hidden, each tab's title counts the new messages, and showing one tab clears the count in all", async ({
  openChat,
}) => {
  const { first, second, bob } = await openTabs(openChat);
  await setHidden(first.page, true);
  await setHidden(second.page, true);

  await bob.send("one");
  await bob.send("two");
  for (const tab of [first, second]) {
    await tab.expectMessage("two", "Bob");
    await expect(tab.page).toHaveTitle(/^\(2\) /);
  }
  await expect(bob.page).not.toHaveTitle(ANY_COUNT);

  await setHidden(second.page, false);
  for (const tab of [first, second]) {
    await expect(tab.page).not.toHaveTitle(ANY_COUNT);
  }
  await bob.send("three");
  await second.expectMessage("three", "Bob");
  await expect(first.page).not.toHaveTitle(ANY_COUNT);
});

test("a message shown in one tab of the browser is not unread in its hidden tabs: the count is the browser's, not the tab's", async ({
  openChat,
}) => {
  const { first, second, bob } = await openTabs(openChat);
  await setHidden(second.page, true);

  await bob.send("seen in the first tab");
  await second.expectMessage("seen in the first tab", "Bob");
  await expect(second.page).not.toHaveTitle(ANY_COUNT);

  await setHidden(first.page, true);
  await bob.send("seen by nobody");
  for (const tab of [first, second]) {
    await tab.expectMessage("seen by nobody", "Bob");
    await expect(tab.page).toHaveTitle(/^\(1\) /);
  }
  // A third tab opens, and is shown: the user sees the messages there.
  const third = await openChat(running.url, "Alice", first.page.context());
  await third.expectMessage("seen by nobody", "Bob");
  for (const tab of [first, second, third]) {
    await expect(tab.page).not.toHaveTitle(ANY_COUNT);
  }
});
