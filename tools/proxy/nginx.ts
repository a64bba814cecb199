// nginx in front of a step's server: a real nginx process, started as a child of this one, with its own folder
// (configuration, logs, temporary files) and ports on 127.0.0.1. Nothing is installed as a system service and no
// system folder is written. `npm run proxy`, the proxy tests and `npm run bench -- --proxy` all start it here.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { findExecutable } from "../executables.ts";
import { freePort } from "../reliability/server-process.ts";
import { ensureCertificate, type CertificateFiles } from "./certificate.ts";
import { PASS_TO_STEP_FILE, profilePath, type Profile } from "./profiles.ts";

// Debian and Ubuntu put nginx in /usr/sbin, which is not on every user's PATH.
const SYSTEM_NGINX_PATHS = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"];
const READY_TIMEOUT_MS = 10_000;
const READY_CHECK_INTERVAL_MS = 25;

export const HOW_TO_INSTALL_NGINX = [
  "nginx was not found (on the PATH, in /usr/sbin or /usr/local/sbin, or at NGINX_PATH). Install it:",
  "  Debian, Ubuntu: sudo apt-get install nginx openssl   (.ci/run does this on a bare Debian machine)",
  "  macOS: brew install nginx",
  "  Windows: use WSL and the Debian line above.",
  "The course starts nginx itself, with a configuration of its own, only while it runs. Debian and Ubuntu also start",
  "their own nginx as a service on port 80, which the course does not need: sudo systemctl disable --now nginx",
].join("\n");

export interface ProxyOptions {
  profile: Profile;
  // The step's server, on 127.0.0.1.
  upstreamPort: number;
  // The port the browser connects to; by default one the system picks.
  port?: number;
}

export interface AccessLogEntry {
  // When the request ended (ms since 1970), and how long it had been open.
  endedAt: number;
  durationMs: number;
  // nginx's serial number of the client connection: requests with the same number shared one TCP connection.
  connection: number;
  protocol: string;
  status: number;
  request: string;
}

export interface RunningProxy {
  url: string;
  port: number;
  profile: Profile;
  // This run's folder: nginx.conf, error.log, access.log.
  folder: string;
  // Ends nginx (every connection through it is cut) and, with start(), brings it back on the same port.
  stop(): Promise<void>;
  start(): Promise<void>;
  // Ends nginx and removes its folder.
  close(): Promise<void>;
  // Requests that nginx has finished (it logs a request when it ends, so an open event stream is not there yet).
  accessLog(): AccessLogEntry[];
}

// The nginx to run: NGINX_PATH, else the first on the PATH, else where Debian and Ubuntu install it.
export function findNginx(): string | undefined {
  return findExecutable("nginx", "NGINX_PATH", SYSTEM_NGINX_PATHS);
}

export async function startNginx({ profile, upstreamPort, port }: ProxyOptions): Promise<RunningProxy> {
  const nginx = requireNginx();
  const certificate = ensureCertificate();
  const listenPort = port ?? (await freePort());
  const folder = mkdtempSync(join(tmpdir(), "course-nginx-"));
  mkdirSync(join(folder, "temp"));
  const configFile = join(folder, "nginx.conf");
  writeFileSync(configFile, nginxConfig(profile, upstreamPort, listenPort, certificate));
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    rmSync(join(folder, "nginx.pid"), { force: true });
    // -p: relative paths in the configuration (pid, logs, temporary files) are inside this run's folder.
    const started = spawn(nginx, ["-p", `${folder}/`, "-c", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    child = started;
    // If this process ends without stop(), nginx must not stay behind holding the port.
    const endWithUs = (): void => void started.kill();
    process.once("exit", endWithUs);
    started.once("exit", () => process.off("exit", endWithUs));
    await waitUntilReady(started, folder);
  }

  async function stop(): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = once(child, "exit");
    // SIGTERM: nginx's fast shutdown, which closes every connection at once, as a crashed proxy would.
    child.kill("SIGTERM");
    await exited;
  }

  async function close(): Promise<void> {
    await stop();
    rmSync(folder, { recursive: true, force: true });
  }

  try {
    await start();
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `https://localhost:${listenPort}`,
    port: listenPort,
    profile,
    folder,
    stop,
    start,
    close,
    accessLog: () => parseAccessLog(readFileIfThere(join(folder, "access.log"))),
  };
}

function requireNginx(): string {
  const nginx = findNginx();
  if (!nginx) {
    throw new Error(HOW_TO_INSTALL_NGINX);
  }
  return nginx;
}

// The whole configuration of one run: the profile and pass-to-step.conf are included from the repository, so what
// nginx runs is exactly what a reader of those files sees.
function nginxConfig(
  profile: Profile,
  upstreamPort: number,
  listenPort: number,
  certificate: CertificateFiles,
): string {
  return `# Written by tools/proxy/nginx.ts for one run of nginx, and removed when it ends. Profile: ${profile.name}.
daemon off;
worker_processes 1;
pid nginx.pid;
error_log error.log warn;
${runAsUser()}
events {
    worker_connections 1024;
}

http {
    log_format course '$msec $request_time $connection $server_protocol $status "$request"';
    access_log access.log course;
    client_body_temp_path temp/body;
    proxy_temp_path temp/proxy;
    fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi;
    scgi_temp_path temp/scgi;

    upstream step {
        server 127.0.0.1:${upstreamPort};
    }

    server {
        listen 127.0.0.1:${listenPort} ssl${profile.http2 ? " http2" : ""};
        server_name localhost;
        ssl_certificate ${certificate.certificate};
        ssl_certificate_key ${certificate.key};

        include ${PASS_TO_STEP_FILE};
        include ${profilePath(profile)};
    }
}
`;
}

// nginx started by root hands its workers to "nobody", who could not write to this run's folder. Started by anyone
// else it cannot change users, and says so if asked to.
function runAsUser(): string {
  return process.getuid?.() === 0 ? "user root;" : "";
}

async function waitUntilReady(child: ChildProcess, folder: string): Promise<void> {
  let errors = "";
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  // A program that cannot be started at all reports it here, and has no exit code.
  child.once("error", (error) => (errors += error.message));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // nginx writes its pid file once its listening socket is open, so the pid file is the sign that it is ready.
  while (readPid(folder) !== child.pid) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`nginx stopped before it was ready:\n${errors.trim()}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`nginx was not ready after ${READY_TIMEOUT_MS} ms:\n${errors.trim()}`);
    }
    await delay(READY_CHECK_INTERVAL_MS);
  }
}

function readPid(folder: string): number | undefined {
  const text = readFileIfThere(join(folder, "nginx.pid"));
  return text === "" ? undefined : Number(text.trim());
}

function readFileIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

// One line of the "course" log_format above; nginx writes both times in seconds, with milliseconds.
const ACCESS_LOG_LINE = /^([\d.]+) ([\d.]+) (\d+) (\S+) (\d+) "(.*)"$/;

function parseAccessLog(text: string): AccessLogEntry[] {
  return text.split("\n").flatMap((line) => {
    const match = ACCESS_LOG_LINE.exec(line);
    if (!match) {
      return [];
    }
    const [, endedAt, duration, connection, protocol, status, request] = match;
    return [
      {
        endedAt: Number(endedAt) * 1000,
        durationMs: Number(duration) * 1000,
        connection: Number(connection),
        protocol: protocol ?? "",
        status: Number(status),
        request: request ?? "",
      },
    ];
  });
}
