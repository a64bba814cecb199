// The TLS certificate nginx shows for https://localhost: self-signed, made with openssl on first use and kept in
// tools/proxy/certs/ (git-ignored: every clone makes its own, and no private key is ever committed).
// Browsers speak HTTP/2 only over TLS, which is why the proxy needs a certificate at all.
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PROXY_DIR = fileURLToPath(new URL(".", import.meta.url));
const CERTIFICATE_DIR = join(PROXY_DIR, "certs");
const CERTIFICATE_NAME = "localhost.crt";
const KEY_NAME = "localhost.key";
const CERTIFICATE_FILE = join(CERTIFICATE_DIR, CERTIFICATE_NAME);
const KEY_FILE = join(CERTIFICATE_DIR, KEY_NAME);

const VALID_DAYS = 365;
// A certificate this close to its end is made again, so that it does not expire in the middle of a lecture.
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
// Every name the browser may use for this machine.
const SUBJECT_ALT_NAMES = "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1";

export const HOW_TO_TRUST = [
  "The certificate is self-signed, so the browser warns once: click Advanced, then Proceed to localhost.",
  "Or trust it, and the warning is gone: add tools/proxy/certs/localhost.crt to the trusted certificates.",
  "  Linux, Chrome or Chromium (certutil is in libnss3-tools):",
  "    certutil -d sql:$HOME/.pki/nssdb -A -t P,, -n course-localhost -i tools/proxy/certs/localhost.crt",
  "  macOS: sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain tools/proxy/certs/localhost.crt",
  "  Windows: certutil -user -addstore Root tools\\proxy\\certs\\localhost.crt",
  "  Firefox keeps its own list: accept the warning once (Advanced, Accept the Risk and Continue).",
];

export interface CertificateFiles {
  certificate: string;
  key: string;
}

// The certificate and its key, made now unless a valid pair is already there. Throws, saying how to install
// openssl, when it is missing.
export function ensureCertificate(): CertificateFiles {
  const files = { certificate: CERTIFICATE_FILE, key: KEY_FILE };
  if (isStillValid()) {
    return files;
  }
  if (!hasOpenssl()) {
    throw new Error(
      "openssl is needed once, to make the proxy's certificate. Install it (Debian, Ubuntu: sudo apt-get install openssl; macOS: brew install openssl) and run the command again.",
    );
  }
  // Made in a folder of its own and then renamed into place, so that two test workers starting at the same time
  // never read half a pair: the first rename wins, and the other worker uses that pair.
  const fresh = mkdtempSync(join(PROXY_DIR, "certs.new-"));
  try {
    makeCertificate(fresh);
    moveIntoPlace(fresh);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
  return files;
}

function isStillValid(): boolean {
  if (!existsSync(CERTIFICATE_FILE) || !existsSync(KEY_FILE)) {
    return false;
  }
  const validTo = Date.parse(new X509Certificate(readFileSync(CERTIFICATE_FILE)).validTo);
  return validTo - Date.now() > RENEW_BEFORE_MS;
}

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// An elliptic-curve key: made in a few milliseconds, and accepted by every current browser.
function makeCertificate(folder: string): void {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-nodes",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-days",
      String(VALID_DAYS),
      "-subj",
      "/CN=localhost",
      "-addext",
      `subjectAltName=${SUBJECT_ALT_NAMES}`,
      "-keyout",
      join(folder, KEY_NAME),
      "-out",
      join(folder, CERTIFICATE_NAME),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}

function moveIntoPlace(fresh: string): void {
  if (existsSync(CERTIFICATE_DIR) && !isStillValid()) {
    rmSync(CERTIFICATE_DIR, { recursive: true, force: true });
  }
  try {
    renameSync(fresh, CERTIFICATE_DIR);
  } catch (error) {
    // Fine if another process has just put its own pair there (the caller removes this one); not otherwise.
    if (!isStillValid()) {
      throw error;
    }
  }
}

// Chromium flags that make it accept this certificate, and no other bad one: the SHA-256 of its public key
// (the form HTTP public key pinning uses). Chromium obeys this only with a profile folder of its own
// (--user-data-dir), which Playwright always gives it. A SharedWorker's connections ignore Playwright's
// ignoreHTTPSErrors, so the tests and the bench trust the certificate this way instead.
export function chromiumFlagsToTrustCertificate(): string[] {
  const { certificate } = ensureCertificate();
  const publicKey = new X509Certificate(readFileSync(certificate)).publicKey.export({ type: "spki", format: "der" });
  return [`--ignore-certificate-errors-spki-list=${createHash("sha256").update(publicKey).digest("base64")}`];
}
