// The session cookie of homework 04.2 and 05.4, as a test sees it: the page signs in by itself and gets an HttpOnly
// cookie; the test takes it the way an attacker cannot, from the browser's own store, and sends it (or an edited
// or made-up one) from outside the page.
import type { BrowserContext } from "@playwright/test";
import { expect, type ChatWindow, type OpenChat } from "./browser.ts";

export interface Cookie {
  name: string;
  value: string;
}

// Alice's page, connected, and the HttpOnly cookies its sign-in left in the browser.
export async function signedInAlice(
  openChat: OpenChat,
  url: string,
): Promise<{ alice: ChatWindow; cookies: Cookie[] }> {
  const alice = await openChat(url, "Alice");
  await expect(alice.status).toContainText("Connected");
  const cookies = await sessionCookies(alice.page.context(), url);
  expect(cookies.length, "HttpOnly cookies set by the sign-in").toBeGreaterThan(0);
  return { alice, cookies };
}

// Alice's page signs in by itself, none of its HttpOnly cookies is visible to the page's scripts, and Alice and Bob
// chat both ways.
export async function expectSignedInChat(openChat: OpenChat, url: string): Promise<void> {
  const { alice, cookies } = await signedInAlice(openChat, url);
  const visibleToScripts = (await alice.page.evaluate("document.cookie")) as string;
  for (const cookie of cookies) {
    expect(visibleToScripts).not.toContain(cookie.value);
  }
  const bob = await openChat(url, "Bob");
  await expect(bob.online.getByRole("listitem")).toHaveText(["Alice", "Bob (you)"]);
  await alice.send("signed in");
  await bob.expectMessage("signed in", "Alice");
  await bob.send("me too");
  await alice.expectMessage("me too", "Bob");
}

async function sessionCookies(context: BrowserContext, url: string): Promise<Cookie[]> {
  return (await context.cookies(url)).filter((cookie) => cookie.httpOnly);
}

export function cookieHeader(cookies: Cookie[]): string {
  return cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

// The same cookies with their last character changed, as someone who edits a cookie would.
export function tampered(cookies: Cookie[]): Cookie[] {
  return cookies.map(({ name, value }) => ({ name, value: value.slice(0, -1) + (value.endsWith("A") ? "B" : "A") }));
}

// Cookies of the same names whose value is just a name, as someone who guesses the format would write them.
export function madeUp(cookies: Cookie[]): Cookie[] {
  return cookies.map(({ name }) => ({ name, value: "Alice" }));
}
