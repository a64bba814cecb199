// The measuring code of the benchmark and the load test, checked against traffic whose size we know.
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { WebSocket, WebSocketServer } from "ws";
import { HttpConnection, type Response } from "../../tools/clients/http-connection.ts";
import { TrafficMeter, trafficBetween } from "../../tools/meter.ts";
import { percentile } from "../../tools/report.ts";

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

// Sends raw bytes and returns every byte of the answer, once the server has closed the connection.
function exchange(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks)));
  });
}

test("the meter counts every byte of a request and its answer, headers included", async () => {
  const server = http.createServer((_req, res) => res.end("hello"));
  const meter = new TrafficMeter(server);
  const port = await listen(server);
  const request = "GET /some/path HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  const answer = await exchange(port, request);
  await expect.poll(() => meter.read().openConnections).toBe(0);

  const traffic = meter.read();
  expect(answer.toString()).toContain("\r\n\r\nhello");
  expect(traffic).toMatchObject({
    connections: 1,
    requests: 1,
    webSockets: 0,
    bytesIn: request.length,
    bytesOut: answer.length,
  });
  await close(server);
});

test("the meter counts WebSocket upgrades, the sockets open now and their frames", async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));
  const meter = new TrafficMeter(server);
  const port = await listen(server);

  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve) => client.once("open", resolve));
  const before = meter.read();
  client.send("x".repeat(100));
  await new Promise((resolve) => client.once("message", resolve));
  const echo = trafficBetween(before, meter.read());
  expect(meter.read()).toMatchObject({ webSockets: 1, openWebSockets: 1, peakWebSockets: 1, requests: 1 });
  // A masked client frame of 100 bytes has a 6-byte header; the server's unmasked answer a 2-byte one.
  expect(echo.bytesIn).toBe(106);
  expect(echo.bytesOut).toBe(102);

  client.close();
  await expect.poll(() => meter.read().openWebSockets).toBe(0);
  expect(meter.read().peakWebSockets).toBe(1);
  wss.close();
  await close(server);
});

test("the load test's HTTP client reads Content-Length and chunked answers on one connection", async () => {
  const server = http.createServer((req, res) => {
    if (req.url === "/chunked") {
      res.write("first ");
      res.end("second");
      return;
    }
    res.setHeader("Content-Length", 4);
    res.end("body");
  });
  const port = await listen(server);
  const connection = new HttpConnection(port, () => {});
  const get = (path: string): Promise<{ response: Response; body: string }> =>
    new Promise((resolve) => {
      const pieces: Buffer[] = [];
      connection.request("GET", path, {
        onBody: (piece) => pieces.push(piece),
        onEnd: (response) => resolve({ response, body: Buffer.concat(pieces).toString() }),
      });
    });

  const plain = await get("/plain");
  expect(plain.response.status).toBe(200);
  expect(plain.body).toBe("body");
  const chunked = await get("/chunked");
  expect(chunked.response.headers.get("transfer-encoding")).toBe("chunked");
  expect(chunked.body).toBe("first second");
  expect((await get("/plain")).body).toBe("body");
  connection.close();
  await close(server);
});

test("percentiles use the nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, index) => index + 1);
  expect(percentile(values, 0.5)).toBe(50);
  expect(percentile(values, 0.99)).toBe(99);
  expect(percentile(values, 1)).toBe(100);
  expect(percentile([], 0.5)).toBeNaN();
});
