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
