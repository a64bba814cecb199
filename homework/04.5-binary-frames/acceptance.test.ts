// Acceptance test of homework 04.5: the page sends its chat messages as binary WebSocket frames, the chat works as
// before, and the server answers a binary frame it cannot read with a clear error and keeps serving.
// Which frames the page sends, and their opcodes (1 text, 2 binary), come from Chromium's DevTools protocol.
import { once } from "node:events";
import type { Browser } from "@playwright/test";
import { WebSocket, type RawData } from "ws";
import { ChatWindow, expect, test } from "../../tools/testing/browser.ts";
import { startServer, type RunningServer } from "../../tools/testing/server.ts";
import { createChatServer } from "../../04-websockets/server.ts";

// RFC 6455, section 5.2.
const OPCODE_TEXT = 1;
const OPCODE_BINARY = 2;

// What Network.webSocketFrameSent carries (https://chromedevtools.github.io/devtools-protocol/tot/Network/).
interface SentFrame {
  opcode: number;
  // The text of a text frame; the bytes of a binary frame, in base64.
  payloadData: string;
}

let running: RunningServer;
test.beforeEach(async () => {
  running = await startServer(() => createChatServer());
});
test.afterEach(() => running.stop());

// A chat window whose WebSocket frames to the server are recorded from before the page opens its socket.
async function openRecorded(browser: Browser, user: string): Promise<{ window: ChatWindow; sent: SentFrame[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const sent: SentFrame[] = [];
  const devTools = await context.newCDPSession(page);
  devTools.on("Network.webSocketFrameSent", (event) => sent.push(event.response));
  await devTools.send("Network.enable");
  await page.goto(`${running.url}/?user=${encodeURIComponent(user)}`);
  return { window: new ChatWindow(page, user), sent };
}

function binaryFrames(sent: SentFrame[]): SentFrame[] {
  return sent.filter((frame) => frame.opcode === OPCODE_BINARY);
}

test("each chat message leaves the page as a binary frame, and the others still get it", async ({
  browser,
  openChat,
}) => {
  const bob = await openChat(running.url, "Bob");
  const { window: alice, sent } = await openRecorded(browser, "Alice");
  try {
    await expect(alice.status).toContainText("Connected");
    const texts = ["Hello in binary", "Ünïcödé, 日本語 and 🙂"];
    for (const text of texts) {
      await alice.send(text);
      await bob.expectMessage(text, "Alice");
      await alice.expectMessage(text, "Alice");
    }
    await expect(alice.input).toHaveValue("");

    expect(binaryFrames(sent).length, "binary frames sent by the page").toBeGreaterThanOrEqual(texts.length);
    const textFramesWithMessages = sent.filter(
      (frame) => frame.opcode === OPCODE_TEXT && texts.some((text) => frame.payloadData.includes(text)),
    );
    expect(textFramesWithMessages, "text frames that carry a message").toEqual([]);

    const [first] = binaryFrames(sent);
    const asJson = JSON.stringify({ type: "chat", ref: 4503599627370495, text: texts[0] });
    console.log(
      `"${texts[0]}": ${Buffer.from(first.payloadData, "base64").length} bytes as a binary frame, ` +
        `${Buffer.byteLength(asJson)} bytes as the JSON frame of the step`,
    );
  } finally {
    await alice.page.context().close();
  }
});

test("a binary frame the server cannot read gets a clear error, and the server keeps serving", async ({ openChat }) => {
  const raw = new WebSocket(`ws://127.0.0.1:${running.port}/ws?user=Mallory`, { origin: running.url });
  const errors: string[] = [];
  raw.on("message", (data: RawData, isBinary: boolean) => {
    const frame = isBinary ? undefined : (JSON.parse(data.toString()) as { type: string; error?: unknown });
    if (frame?.type === "error") {
      errors.push(String(frame.error));
    }
  });
  await once(raw, "open");
  try {
    const unreadable = [Buffer.alloc(0), Buffer.alloc(3, 0xff), Buffer.alloc(64, 0xff)];
    for (const bytes of unreadable) {
      raw.send(bytes, { binary: true });
    }
    await expect.poll(() => errors.length).toBe(unreadable.length);
    for (const error of errors) {
      expect(error.length, "the error says what is wrong").toBeGreaterThan(10);
    }
    expect(raw.readyState).toBe(WebSocket.OPEN);

    const alice = await openChat(running.url, "Alice");
    const bob = await openChat(running.url, "Bob");
    await alice.send("still serving");
    await bob.expectMessage("still serving", "Alice");
    await expect(bob.log.getByRole("listitem")).toHaveCount(1);
    expect(raw.readyState).toBe(WebSocket.OPEN);
  } finally {
    raw.close();
  }
});
