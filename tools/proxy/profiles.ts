// The proxy profiles a lecturer switches between: each is one nginx configuration file in tools/proxy/profiles/,
// read together with tools/proxy/pass-to-step.conf. Only the listen line (HTTP/2 or not) is decided here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PROFILES_DIR = fileURLToPath(new URL("profiles/", import.meta.url));
export const PASS_TO_STEP_FILE = fileURLToPath(new URL("pass-to-step.conf", import.meta.url));

// nginx's own default for proxy_read_timeout, when a profile does not set one.
const NGINX_DEFAULT_READ_TIMEOUT_MS = 60_000;

export interface Profile {
  name: string;
  // The configuration file in tools/proxy/profiles/.
  file: string;
  http2: boolean;
  summary: string;
  // What to try in the browser, printed by `npm run proxy`.
  tryThis: string[];
}

export const PROFILES: Profile[] = [
  {
    name: "good",
    file: "good.conf",
    http2: true,
    summary: "HTTP/2, WebSocket upgrades passed on, event streams not buffered, timeouts above every heartbeat.",
    tryThis: [
      "DevTools, Network: right-click the column headers and show Protocol: h2 for the page, the polls and the event stream.",
      "Step 05: open the page in seven or more tabs: every one loads, all over one connection (HTTP/2).",
      "Steps 04 and 06: the WebSocket is its own HTTP/1.1 connection (101 Switching Protocols): nginx 1.22 has no WebSockets over HTTP/2.",
    ],
  },
  {
    name: "http1",
    file: "good.conf",
    http2: false,
    summary: "The good profile over HTTP/1.1 only: six connections per origin again.",
    tryThis: [
      "DevTools, Network, Protocol column: http/1.1.",
      "Step 05: the seventh tab of one browser stays pending, and the six cannot send. Switch to --profile good: they all work.",
    ],
  },
  {
    name: "buffering",
    file: "buffering.conf",
    http2: true,
    summary: "Buffering and gzip on, the step's X-Accel-Buffering: no ignored: event streams are held back.",
    tryThis: [
      "Step 05: send a few messages. Nobody sees them, not even the sender: the POSTs were answered 201, and the events wait in nginx's gzip buffer.",
      "DevTools, Network: /api/events stays pending without even its headers (nginx sends them with the first compressed bytes), so the status says Connecting….",
      "Then --profile buffering-honoured: the same proxy obeys the step's header, and events arrive at once.",
    ],
  },
  {
    name: "buffering-honoured",
    file: "buffering-honoured.conf",
    http2: true,
    summary: "The same buffering and gzip, but nginx obeys the step's X-Accel-Buffering: no: events on time.",
    tryThis: [
      "Step 05: messages arrive at once. DevTools, Network, /api/events: Content-Encoding: gzip, yet its EventStream tab fills event by event.",
      "nginx keeps X-Accel-Buffering to itself: the browser never sees that header, only Cache-Control: no-cache, no-transform.",
    ],
  },
  {
    name: "short-timeouts",
    file: "short-timeouts.conf",
    http2: true,
    summary: "nginx cuts a connection after 5 s of silence, below every heartbeat of the course.",
    tryThis: [
      "Step 03: every long poll ends with 504 Gateway Timeout after 5 s; the page retries after a short backoff, from its cursor.",
      "Step 05: the stream breaks every 5 s; the browser reconnects after the server's retry: 2000, with Last-Event-ID.",
      "Steps 04 and 06: the socket closes every 5 s (1006); the page reconnects and resumes. Step 02 is never cut.",
      "Send from a second window while the first reconnects: nothing is lost, nothing shown twice.",
    ],
  },
];

export function profileNames(): string[] {
  return PROFILES.map((profile) => profile.name);
}

// "good", "buffering", … → the profile. Exits with a clear message for anything else.
export function findProfile(name: string): Profile {
  const profile = PROFILES.find((candidate) => candidate.name === name);
  if (!profile) {
    console.error(`Unknown proxy profile "${name}". Choose one of: ${profileNames().join(", ")}.`);
    process.exit(1);
  }
  return profile;
}

export function profilePath(profile: Profile): string {
  return `${PROFILES_DIR}${profile.file}`;
}

// How long nginx lets a proxied connection stay silent under this profile (its proxy_read_timeout).
export function idleTimeoutMs(profile: Profile): number {
  const setting = /^\s*proxy_read_timeout\s+(\d+)s;/m.exec(readFileSync(profilePath(profile), "utf8"));
  return setting ? Number(setting[1]) * 1000 : NGINX_DEFAULT_READ_TIMEOUT_MS;
}
