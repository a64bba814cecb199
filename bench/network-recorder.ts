// What DevTools' Network panel shows, recorded during the benchmark for the traffic timeline (bench/charts/timeline.ts):
// for each tab, and for each shared worker of step 06, every HTTP request from its start to its end, every WebSocket
// frame and every Server-Sent Event. It listens to the same Chrome DevTools Protocol events the Network panel does.
import type { Browser, CDPSession, Page } from "@playwright/test";

// One lane of the timeline: a tab, or a shared worker. Times are wall-clock milliseconds (Date.now()).
export interface Lane {
  label: string;
  // A request seen only by its end (it began before the recording) has no start; one still open has no end.
  requests: { start: number | null; end: number | null; method: string; url: string }[];
  frames: { at: number; sent: boolean }[];
  events: number[];
}

// DevTools stamps its events with a monotonic clock in seconds; a few events carry the wall-clock time too. The
// difference, learnt from the first of those, turns every stamp into Date.now() time. One clock for the browser.
export class DevToolsClock {
  private offsetMs: number | undefined;

  learn(timestamp: number, wallTime: number): void {
    this.offsetMs ??= wallTime * 1000 - timestamp * 1000;
  }

  toWallMs(timestamp: number): number | null {
    return this.offsetMs === undefined ? null : timestamp * 1000 + this.offsetMs;
  }
}

// The DevTools events a lane is made of, as Network.enable sends them.
interface NetworkEvents {
  "Network.requestWillBeSent": {
    requestId: string;
    timestamp: number;
    wallTime: number;
    request: { method: string; url: string };
  };
  "Network.loadingFinished": { requestId: string; timestamp: number };
  "Network.loadingFailed": { requestId: string; timestamp: number };
  "Network.webSocketWillSendHandshakeRequest": { requestId: string; timestamp: number; wallTime: number };
  "Network.webSocketFrameSent": { requestId: string; timestamp: number };
  "Network.webSocketFrameReceived": { requestId: string; timestamp: number };
  "Network.eventSourceMessageReceived": { requestId: string; timestamp: number };
}

type EventName = keyof NetworkEvents;

// Collects one lane from the events of one DevTools session (a page's, or a worker's).
export class LaneRecorder {
  readonly lane: Lane;
  private readonly open = new Map<string, Lane["requests"][number]>();

  constructor(
    label: string,
    private readonly clock: DevToolsClock,
  ) {
    this.lane = { label, requests: [], frames: [], events: [] };
  }

  receive<Name extends EventName>(name: Name, params: NetworkEvents[Name]): void {
    if ("wallTime" in params) {
      this.clock.learn(params.timestamp, params.wallTime);
    }
    const at = this.clock.toWallMs(params.timestamp);
    if (at === null) {
      return;
    }
    switch (name) {
      case "Network.requestWillBeSent": {
        const { request, requestId } = params as NetworkEvents["Network.requestWillBeSent"];
        const entry = { start: at, end: null, method: request.method, url: request.url };
        this.open.set(requestId, entry);
        this.lane.requests.push(entry);
        break;
      }
      case "Network.loadingFinished":
      case "Network.loadingFailed":
        this.finish(params.requestId, at);
        break;
      case "Network.webSocketFrameSent":
        this.lane.frames.push({ at, sent: true });
        break;
      case "Network.webSocketFrameReceived":
        this.lane.frames.push({ at, sent: false });
        break;
      case "Network.eventSourceMessageReceived":
        this.lane.events.push(at);
        break;
    }
  }

  private finish(requestId: string, at: number): void {
    const entry = this.open.get(requestId);
    if (entry) {
      entry.end = at;
      this.open.delete(requestId);
      return;
    }
    // A request that began before the recording did (a long poll sent while the page loaded).
    this.lane.requests.push({ start: null, end: at, method: "GET", url: "" });
  }
}

const RECORDED_EVENTS: EventName[] = [
  "Network.requestWillBeSent",
  "Network.loadingFinished",
  "Network.loadingFailed",
  "Network.webSocketWillSendHandshakeRequest",
  "Network.webSocketFrameSent",
  "Network.webSocketFrameReceived",
  "Network.eventSourceMessageReceived",
];

// Records a tab from before it loads: attach, then navigate.
export async function recordPage(page: Page, label: string, clock: DevToolsClock): Promise<LaneRecorder> {
  const recorder = new LaneRecorder(label, clock);
  const cdp: CDPSession = await page.context().newCDPSession(page);
  for (const name of RECORDED_EVENTS) {
    cdp.on(name, (params: unknown) => recorder.receive(name, params as NetworkEvents[typeof name]));
  }
  await cdp.send("Network.enable");
  return recorder;
}

// Records every shared worker of the pages at `origin` (step 06): Playwright's page events do not see a worker, so
// this attaches to each "shared_worker" target through a browser-level session. Playwright's sessions cannot address
// a flattened child session, so the worker's events come wrapped in Target.receivedMessageFromTarget.
export async function recordSharedWorkers(
  browser: Browser,
  origin: string,
  clock: DevToolsClock,
): Promise<LaneRecorder[]> {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send("Target.getTargets");
  const recorders = new Map<string, LaneRecorder>();
  cdp.on("Target.receivedMessageFromTarget", ({ sessionId, message }) => {
    const event = JSON.parse(message) as { method?: EventName; params?: unknown };
    if (event.method && RECORDED_EVENTS.includes(event.method)) {
      recorders.get(sessionId)?.receive(event.method, event.params as NetworkEvents[EventName]);
    }
  });
  for (const target of targetInfos.filter((info) => info.type === "shared_worker" && info.url.startsWith(origin))) {
    const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: false });
    recorders.set(sessionId, new LaneRecorder(workerLabel(target.browserContextId, targetInfos), clock));
    await cdp.send("Target.sendMessageToTarget", {
      sessionId,
      message: JSON.stringify({ id: 1, method: "Network.enable" }),
    });
  }
  return [...recorders.values()];
}

// "Alice's shared worker": the user of a page of the same browser profile, from its address (?user=Alice).
function workerLabel(
  browserContextId: string | undefined,
  targets: { type: string; url: string; browserContextId?: string }[],
): string {
  const page = targets.find((target) => target.type === "page" && target.browserContextId === browserContextId);
  const user = page ? new URL(page.url).searchParams.get("user") : null;
  return user ? `${user}'s shared worker` : "a shared worker";
}
