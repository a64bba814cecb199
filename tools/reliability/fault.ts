// What a fault scenario is, and what it reports. faults.ts lists the scenarios; slow-consumer.ts is one of them,
// in a file of its own. Both import this file, so neither imports the other's module.
import type { Browser } from "@playwright/test";
import type { Step } from "../steps.ts";
import type { ServerProcess } from "./server-process.ts";

export interface FaultOutcome {
  recovered: boolean;
  lost: number;
  duplicates: number;
  detail: string;
}

export interface Fault {
  name: string;
  // Whether the fault means anything for this step (step 01 has no live updates to recover).
  appliesTo(step: Step): boolean;
  run(server: ServerProcess, browser: Browser, step: Step): Promise<FaultOutcome>;
}
