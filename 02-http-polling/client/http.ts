// Talking to the server with fetch(): JSON in, JSON out, the server's reason on failure, and the traffic panel.
// A failed request throws an Error whose message is a sentence to show: the server's reason, or that it cannot
// be reached.
// This file is not the lesson: it is identical in every step that sends with HTTP.
import type { ErrorBody, Message } from "./protocol.js";
import { byteLength, countRequest } from "./ui.js";

export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const sentBody = typeof init.body === "string" ? init.body : "";
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    // An abort is the page's own decision (for example the tab was hidden), not a failure to report.
    if (error instanceof DOMException && error.name === "AbortError") {
      throw error;
    }
    throw new Error("The server cannot be reached.");
  }
  const receivedBody = await response.text();
  countRequest(byteLength(sentBody), byteLength(receivedBody));
  if (!response.ok) {
    throw new Error(readReason(receivedBody, response.status));
  }
  return JSON.parse(receivedBody) as T;
}

function readReason(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as ErrorBody;
    return `The server refused (${status}): ${parsed.error}`;
  } catch {
    return `The server answered ${status}.`;
  }
}

export function sendChatMessage(user: string, text: string): Promise<Message> {
  return requestJson<Message>("/api/messages", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user, text }),
  });
}
