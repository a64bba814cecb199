// The same hostile inputs for every step that receives messages with POST /api/messages.
// Each must get a clear 4xx with a JSON reason, and the server must go on serving everyone else.
import { expect, test } from "@playwright/test";
import { postChat, postRaw, request } from "./http.ts";

const MAX_BODY_BYTES = 4096;

const REFUSED_BODIES: { name: string; body: string; status: number; reason: RegExp }[] = [
  { name: "malformed JSON", body: '{"user": "Alice", "text": ', status: 400, reason: /not valid JSON/ },
  { name: "a JSON array", body: "[1, 2]", status: 400, reason: /expected a JSON object/ },
  { name: "a JSON string", body: '"hello"', status: 400, reason: /expected a JSON object/ },
  { name: "no user", body: '{"text": "Hi"}', status: 400, reason: /"user" must be a string/ },
  { name: "a number as text", body: '{"user": "Alice", "text": 42}', status: 400, reason: /"text" must be a string/ },
  {
    name: "an object as user",
    body: '{"user": {"name": "A"}, "text": "Hi"}',
    status: 400,
    reason: /"user" must be a string/,
  },
  { name: "empty text", body: '{"user": "Alice", "text": ""}', status: 400, reason: /"text" must not be empty/ },
  {
    name: "whitespace only",
    body: '{"user": "Alice", "text": " \\u00a0 "}',
    status: 400,
    reason: /"text" must not be empty/,
  },
  {
    name: "a text over the limit",
    body: JSON.stringify({ user: "Alice", text: "x".repeat(501) }),
    status: 400,
    reason: /at most 500 characters/,
  },
  {
    name: "a name over the limit",
    body: JSON.stringify({ user: "A".repeat(33), text: "Hi" }),
    status: 400,
    reason: /at most 32 characters/,
  },
  {
    name: "a control character",
    body: '{"user": "Alice", "text": "a\\u0007b"}',
    status: 400,
    reason: /control characters/,
  },
  {
    name: "a newline in the name",
    body: '{"user": "Al\\nice", "text": "Hi"}',
    status: 400,
    reason: /control characters/,
  },
  { name: "a lone surrogate", body: '{"user": "Alice", "text": "\\ud800"}', status: 400, reason: /valid Unicode/ },
  {
    name: "a huge body",
    body: JSON.stringify({ user: "Alice", text: "x".repeat(MAX_BODY_BYTES * 4) }),
    status: 413,
    reason: /larger than 4096 bytes/,
  },
];

function errorOf(body: string): string {
  return (JSON.parse(body) as { error: string }).error;
}

// `step` names the step in the test titles, since these tests are defined here and not in the step's file.
export function testBadInput(step: string, baseUrl: () => string): void {
  test.describe(`${step}: bad input on POST /api/messages`, () => {
    for (const { name, body, status, reason } of REFUSED_BODIES) {
      test(`refuses ${name} with ${status} and a JSON reason`, async () => {
        const reply = await postRaw(baseUrl(), body);
        expect(reply.status).toBe(status);
        expect(reply.headers["content-type"]).toContain("application/json");
        expect(errorOf(reply.body)).toMatch(reason);
      });
    }

    test("refuses bytes that are not UTF-8 instead of turning them into replacement characters", async () => {
      const body = Buffer.concat([
        Buffer.from('{"user": "Alice", "text": "caf'),
        Buffer.from([0xe9, 0xff]),
        Buffer.from('"}'),
      ]);
      const reply = await postRaw(baseUrl(), body);
      expect(reply.status).toBe(400);
      expect(errorOf(reply.body)).toMatch(/not valid UTF-8/);
    });

    test("refuses a body that is not JSON", async () => {
      const reply = await postRaw(baseUrl(), "user=Alice&text=Hi", "application/x-www-form-urlencoded");
      expect(reply.status).toBe(400);
      expect(errorOf(reply.body)).toMatch(/expected a JSON object/);
    });

    test("answers an unknown endpoint with 404 and a JSON reason", async () => {
      const reply = await request(`${baseUrl()}/api/nothing-here`);
      expect(reply.status).toBe(404);
      expect(errorOf(reply.body)).toMatch(/no such endpoint/);
    });

    test("keeps serving after every bad input, and stores HTML as plain text", async () => {
      await Promise.all(REFUSED_BODIES.map(({ body }) => postRaw(baseUrl(), body)));
      const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
      const message = await postChat(baseUrl(), "<b>Mallory</b>", payload);
      expect(message).toMatchObject({ user: "<b>Mallory</b>", text: payload });
      const right = "שלום עליכם ‮ e\u0301";
      expect((await postChat(baseUrl(), "Dana", right)).text).toBe(right);
    });

    test("a flood from one sender gets 429 with Retry-After, and others can still send", async () => {
      const FLOOD = 30;
      const body = JSON.stringify({ user: "Flooder", text: "spam" });
      const replies = await Promise.all(Array.from({ length: FLOOD }, () => postRaw(baseUrl(), body)));
      const refused = replies.filter((reply) => reply.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.length + replies.filter((reply) => reply.status === 201).length).toBe(FLOOD);
      expect(errorOf(refused[0].body)).toMatch(/too many messages/);
      expect(Number(refused[0].headers["retry-after"])).toBeGreaterThan(0);
      expect((await postChat(baseUrl(), "Alice", "I am not flooding")).text).toBe("I am not flooding");
    });

    test("sends a strict Content-Security-Policy with the page", async () => {
      const reply = await request(`${baseUrl()}/`);
      expect(reply.status).toBe(200);
      const policy = String(reply.headers["content-security-policy"]);
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).not.toContain("unsafe-inline");
      expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    });
  });
}
