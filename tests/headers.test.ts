// What DevTools shows in every step's headers: the page gets the strict Content-Security-Policy, an API answer only
// the short one an answer that is never a page needs; and the page asks for nothing that is not there.
import { expect, test } from "@playwright/test";
import { availableSteps, type Step } from "../tools/steps.ts";
import { request } from "../tools/testing/http.ts";
import { importStep, startServer, type RunningServer } from "../tools/testing/server.ts";

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

async function startStep(step: Step): Promise<RunningServer> {
  const module = await importStep(step);
  return startServer(() => module.createChatServer());
}

for (const step of availableSteps()) {
  test.describe(`${step.folder}: headers`, () => {
    let running: RunningServer;
    test.beforeEach(async () => {
      running = await startStep(step);
    });
    test.afterEach(() => running.stop());

    test("the page gets the strict policy, and an API answer the short one", async () => {
      const page = await request(`${running.url}/`);
      expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
      // Steps 04 and 06 chat over the WebSocket, so their API has no /messages: its 404 is an API answer all the same.
      const path = step.sends === "POST" ? "/api/messages" : "/api/nothing";
      const answer = await request(`${running.url}${path}`);
      expect(answer.headers["content-type"]).toMatch(/^application\/json/);
      expect(answer.headers["content-security-policy"]).toBe(API_POLICY);
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    });

    test("the page declares an icon that exists, so no browser asks for a missing /favicon.ico", async () => {
      // Headless Chromium fetches no icons, so the server is asked directly.
      const page = await request(`${running.url}/`);
      const icon = /<link rel="icon" href="([^"]+)">/.exec(page.body)?.[1];
      expect(icon).toBeDefined();
      const reply = await request(`${running.url}${icon}`);
      expect(reply.status).toBe(200);
      expect(reply.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    });
  });
}
