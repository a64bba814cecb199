// The one WebSocket client of the chat (steps 04 and 06: step 06's worker speaks step 04's frames), used by the
// tests, the load test and the reliability suite. Its frames are the step's own types, so a frame the step changes
// stops the type check here; and a frame this client does not know is an error it reports, not a lost message.
import { WebSocket, type RawData } from "ws";
import type { ClientFrame, ServerFrame } from "../../04-websockets/client/protocol.ts";

export type { ClientFrame, ServerFrame };

export const WEBSOCKET_PATH = "/ws";

// Every type of frame the server sends. A new type in protocol.ts is a type error here until it is added.
const SERVER_FRAME_TYPES: Record<ServerFrame["type"], true> = {
  history: true,
  chat: true,
  ack: true,
  presence: true,
  joined: true,
  left: true,
  typing: true,
  error: true,
};

// Opens a socket as the page opens it: the same path, and the page's own Origin (the server refuses any other).
// No compression: the pages' sockets have none on these small frames, and it would cost the load test CPU.
export function openChatSocket(port: number, user: string): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${port}${WEBSOCKET_PATH}?user=${encodeURIComponent(user)}`, {
    origin: `http://127.0.0.1:${port}`,
    perMessageDeflate: false,
  });
}

export function sendFrame(socket: WebSocket, frame: ClientFrame): void {
  socket.send(JSON.stringify(frame));
}

// One frame from the server. Throws on text that is not JSON or on a frame of a type the protocol does not have.
export function parseServerFrame(data: RawData): ServerFrame {
  const frame = JSON.parse(data.toString()) as { type?: unknown };
  if (typeof frame.type !== "string" || !Object.hasOwn(SERVER_FRAME_TYPES, frame.type)) {
    throw new Error(`unexpected frame from the server: ${data.toString().slice(0, 200)}`);
  }
  return frame as ServerFrame;
}
