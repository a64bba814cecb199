// The minimal Express baseline of the load test: the same chat as the bare baseline (baselines.ts), run by an Express
// app with one route per endpoint, Express's own JSON body parser and answers, and nothing else. In a file of its own
// so that the bare baseline's process never loads Express.
import type http from "node:http";
import express from "express";
import { MESSAGES_PATH } from "../clients/messages.ts";
import type { ProtocolName } from "../steps.ts";
import { createBaseline, type BaselineServer, type Framework, type HttpChat } from "./baselines.ts";

export function createExpressBaseline(protocol: ProtocolName): BaselineServer {
  return createBaseline(EXPRESS, protocol);
}

const EXPRESS: Framework = { respond: respondWithExpress, handler: expressApp };

// The steps answer this way: Express's status() and send() with the JSON already written out.
function respondWithExpress(res: http.ServerResponse, status: number, json: string): void {
  (res as express.Response).status(status).type("json").send(json);
}

// One route per endpoint. The steps turn ETags off too (they would hash every answer).
function expressApp(chat: HttpChat | undefined): express.Express {
  const app = express();
  app.set("etag", false);
  if (chat) {
    app.get(chat.receivePath, (req, res) =>
      chat.receive(new URLSearchParams(req.query as Record<string, string>), res),
    );
    app.post(MESSAGES_PATH, express.json(), (req, res) => {
      const body = req.body as { user?: unknown; text?: unknown };
      chat.post(String(body.user), String(body.text), res);
    });
  }
  return app;
}
