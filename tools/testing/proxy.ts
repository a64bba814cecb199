// A TCP proxy on 127.0.0.1 in front of a test server, that can freeze: it keeps every connection open but stops
// passing bytes, like a network that silently stopped working (no FIN, no RST, no error anywhere).
import net from "node:net";

export interface FreezableProxy {
  url: string;
  freeze(): void;
  thaw(): void;
  // The network comes back, but the connections it froze are dead (as after a NAT timeout): they are reset.
  cutAndThaw(): void;
  close(): Promise<void>;
}

export function startProxy(targetPort: number): Promise<FreezableProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let frozen = false;

  function pipeConnection(client: net.Socket): void {
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
    for (const socket of pair) {
      socket.on("error", () => pair.forEach((end) => end.destroy()));
      socket.on("close", () => {
        pairs.delete(pair);
        pair.forEach((end) => end.destroy());
      });
    }
  }

  const proxy = net.createServer(pipeConnection);
  return new Promise((resolve) => {
    proxy.listen(0, "127.0.0.1", () => {
      const { port } = proxy.address() as net.AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        freeze() {
          frozen = true;
          pairs.forEach((pair) => pair.forEach((socket) => socket.pause()));
        },
        thaw() {
          frozen = false;
          pairs.forEach((pair) => pair.forEach((socket) => socket.resume()));
        },
        cutAndThaw() {
          frozen = false;
          pairs.forEach((pair) => pair.forEach((socket) => socket.resetAndDestroy()));
        },
        close() {
          pairs.forEach((pair) => pair.forEach((socket) => socket.destroy()));
          return new Promise((done) => proxy.close(() => done()));
        },
      });
    });
  });
}
