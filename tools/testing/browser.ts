// Chat windows in Chromium for the browser tests, found the way a user (or a screen reader) finds them:
// by role and accessible name. Every window opened through `openChat` is closed after the test, and
// the test fails if a page threw an uncaught error.
import { test as base, expect, type BrowserContext, type Locator, type Page } from "@playwright/test";

export { expect };

export class ChatWindow {
  readonly input: Locator;
  readonly sendButton: Locator;
  readonly log: Locator;
  readonly status: Locator;
  readonly error: Locator;
  readonly online: Locator;

  constructor(
    readonly page: Page,
    readonly user: string,
  ) {
    this.input = page.getByRole("textbox", { name: "Message" });
    this.sendButton = page.getByRole("button", { name: "Send" });
    this.log = page.getByRole("log");
    this.status = page.getByRole("status");
    this.error = page.getByRole("alert");
    this.online = page.getByRole("list", { name: "Online" });
  }

  async send(text: string): Promise<void> {
    await this.input.fill(text);
    await this.sendButton.click();
  }

  // Messages shown in the log with exactly this text (and, if given, exactly this sender).
  message(text: string, user?: string): Locator {
    const withText = this.log.getByRole("listitem").filter({ has: this.page.getByText(text, { exact: true }) });
    return user === undefined ? withText : withText.filter({ has: this.page.getByText(user, { exact: true }) });
  }

  async expectMessage(text: string, user?: string): Promise<void> {
    await expect(this.message(text, user)).toHaveCount(1);
  }
}

// Makes a page believe that the user switched to another tab (hidden) or back to it. Headless Chromium shows every
// page, so this sets document.hidden and document.visibilityState and fires visibilitychange, as the browser does.
// It runs in the page as a string, since the test code is not compiled with the browser's types.
export async function setHidden(page: Page, hidden: boolean): Promise<void> {
  const state = hidden ? "hidden" : "visible";
  await page.evaluate(`
    Object.defineProperty(document, "hidden", { configurable: true, get: () => ${hidden} });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "${state}" });
    document.dispatchEvent(new Event("visibilitychange"));
  `);
}

export type OpenChat = (baseUrl: string, user: string, context?: BrowserContext) => Promise<ChatWindow>;

export const test = base.extend<{ openChat: OpenChat }>({
  openChat: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    const pageErrors: string[] = [];

    // Each user gets a browser context of their own (like a separate browser profile),
    // unless the test passes a context to open another tab in it.
    async function openChat(baseUrl: string, user: string, context?: BrowserContext): Promise<ChatWindow> {
      const owner = context ?? (await browser.newContext());
      if (!context) {
        contexts.push(owner);
      }
      const page = await owner.newPage();
      page.on("pageerror", (error) => pageErrors.push(`${user}: ${error.message}`));
      await page.goto(`${baseUrl}/?user=${encodeURIComponent(user)}`);
      return new ChatWindow(page, user);
    }

    await use(openChat);
    await Promise.all(contexts.map((context) => context.close()));
    expect(pageErrors, "uncaught errors in the pages").toEqual([]);
  },
});
