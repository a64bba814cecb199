// Chromium windows on a step's page, driven the way a person would: type, press Send, read the message list.
// The fault scenarios (faults.ts, slow-consumer.ts) share these.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import type { ServerProcess } from "./server-process.ts";

export const RECOVERY_DEADLINE_MS = 45_000;
const SEND_TIMEOUT_MS = 10_000;

export interface Window {
  user: string;
  context: BrowserContext;
  page: Page;
}

export async function openWindow(browser: Browser, server: ServerProcess, user: string): Promise<Window> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?user=${encodeURIComponent(user)}`);
  return { user, context, page };
}

// Types and sends one message; true when the page accepted it (the input was cleared), false when it showed an error.
export async function trySend(window: Window, text: string): Promise<boolean> {
  const input = window.page.getByRole("textbox", { name: "Message" });
  const error = window.page.getByRole("alert");
  await input.fill(text);
  await window.page.getByRole("button", { name: "Send" }).click();
  const deadline = Date.now() + SEND_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await input.inputValue()) === "") {
      return true;
    }
    if (await error.isVisible()) {
      return false;
    }
    await window.page.waitForTimeout(100);
  }
  return false;
}

// Sends until the page accepts: right after a restart, the first attempts may meet a server still starting.
export async function sendUntilAccepted(window: Window, text: string): Promise<void> {
  const deadline = Date.now() + RECOVERY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (await trySend(window, text)) {
      return;
    }
    await window.page.waitForTimeout(500);
  }
  throw new Error(`${window.user} could not send "${text}" within ${RECOVERY_DEADLINE_MS} ms`);
}

function countShown(window: Window, text: string): Promise<number> {
  return window.page
    .getByRole("log")
    .getByRole("listitem")
    .filter({ has: window.page.getByText(text, { exact: true }) })
    .count();
}

// Waits (with a deadline) until every window shows every text, then counts what is missing or shown twice.
export async function checkDelivery(windows: Window[], texts: string[]): Promise<{ lost: number; duplicates: number }> {
  const deadline = Date.now() + RECOVERY_DEADLINE_MS;
  let lost = 0;
  let duplicates = 0;
  for (;;) {
    const counts = await Promise.all(windows.flatMap((window) => texts.map((text) => countShown(window, text))));
    lost = counts.filter((count) => count === 0).length;
    duplicates = counts.filter((count) => count > 1).length;
    if (lost === 0 || Date.now() > deadline) {
      return { lost, duplicates };
    }
    await windows[0].page.waitForTimeout(250);
  }
}
