// Counts what crosses a server's sockets: TCP connections, HTTP requests, WebSocket upgrades and the bytes
// in both directions, HTTP headers and WebSocket frames included (socket.bytesRead and socket.bytesWritten
// count everything the kernel received from or was given for the peer).
import type http from "node:http";
import type { Socket } from "node:net";

export interface Traffic {
  // TCP connections accepted, and those open now.
  connections: number;
  openConnections: number;
  // HTTP requests, WebSocket upgrades among them.
  requests: number;
  webSockets: number;
  openWebSockets: number;
  // The most WebSockets open at the same time since the last resetPeak().
  peakWebSockets: number;
  bytesIn: number;
  bytesOut: number;
}

export class TrafficMeter {
  private readonly openSockets = new Set<Socket>();
  private readonly webSocketSockets = new Set<Socket>();
  private connections = 0;
  private requests = 0;
  private webSockets = 0;
  private peakWebSockets = 0;
  // Bytes of the sockets already closed; the open ones are read when asked.
  private closedBytesIn = 0;
  private closedBytesOut = 0;

  constructor(server: http.Server) {
    server.on("connection", (socket: Socket) => this.countConnection(socket));
    server.on("request", () => {
      this.requests += 1;
    });
    // Only when the server already handles upgrades (the ws library, or the step itself, listens by now):
    // a listener here would otherwise make a plain HTTP server accept upgrades it should refuse.
    if (server.listenerCount("upgrade") > 0) {
      server.on("upgrade", (_req: http.IncomingMessage, socket: Socket) => this.countUpgrade(socket));
    }
  }

  private countConnection(socket: Socket): void {
    this.connections += 1;
    this.openSockets.add(socket);
    socket.once("close", () => {
      this.openSockets.delete(socket);
      this.closedBytesIn += socket.bytesRead;
      this.closedBytesOut += socket.bytesWritten;
    });
  }

  private countUpgrade(socket: Socket): void {
    this.requests += 1;
    this.webSockets += 1;
    this.webSocketSockets.add(socket);
    this.peakWebSockets = Math.max(this.peakWebSockets, this.webSocketSockets.size);
    socket.once("close", () => this.webSocketSockets.delete(socket));
  }

  resetPeak(): void {
    this.peakWebSockets = this.webSocketSockets.size;
  }

  read(): Traffic {
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const socket of this.openSockets) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return {
      connections: this.connections,
      openConnections: this.openSockets.size,
      requests: this.requests,
      webSockets: this.webSockets,
      openWebSockets: this.webSocketSockets.size,
      peakWebSockets: this.peakWebSockets,
      bytesIn,
      bytesOut,
    };
  }
}

// What happened between two readings (the counts of open things are those of the later one).
export function trafficBetween(before: Traffic, after: Traffic): Traffic {
  return {
    ...after,
    connections: after.connections - before.connections,
    requests: after.requests - before.requests,
    webSockets: after.webSockets - before.webSockets,
    bytesIn: after.bytesIn - before.bytesIn,
    bytesOut: after.bytesOut - before.bytesOut,
  };
}
