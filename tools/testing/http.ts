// A small HTTP client for server-level tests. Every request opens its own connection (no keep-alive),
// so a test that restarts the server never reuses a socket the old server closed.
import http from "node:http";
import { chatBody, MESSAGES_PATH, updatesPath, type Message, type Update } from "../clients/messages.ts";

export type { Message, Update };

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, {
      method: options.method ?? "GET",
      headers: options.headers,
      agent: false,
      signal: options.signal,
    });
    outgoing.once("error", reject);
    outgoing.once("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.once("error", reject);
      response.once("end", () => {
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
    });
    outgoing.end(options.body);
  });
}

export function postRaw(baseUrl: string, body: string | Buffer, contentType = "application/json"): Promise<Reply> {
  return request(`${baseUrl}${MESSAGES_PATH}`, { method: "POST", headers: { "Content-Type": contentType }, body });
}

export async function postChat(baseUrl: string, user: string, text: string): Promise<Message> {
  const reply = await postRaw(baseUrl, chatBody(user, text));
  if (reply.status !== 201) {
    throw new Error(`POST answered ${reply.status}: ${reply.body}`);
  }
  return JSON.parse(reply.body) as Message;
}

export async function getUpdate(baseUrl: string, epoch = "", since = 0, signal?: AbortSignal): Promise<Update> {
  const reply = await request(`${baseUrl}${updatesPath(epoch, since)}`, { signal });
  if (reply.status !== 200) {
    throw new Error(`GET answered ${reply.status}: ${reply.body}`);
  }
  return JSON.parse(reply.body) as Update;
}
