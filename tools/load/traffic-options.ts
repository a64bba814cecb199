// The traffic that `npm run load` and `npm run load:scale` send, read from the command line the same way:
// --clients 1000,5000 (one run per count), --messages 10, --rate 1 (messages per second, from one sender).
import { option } from "../report.ts";

export interface TrafficOptions {
  clients: number[];
  messages: number;
  rate: number;
}

export function trafficOptions(): TrafficOptions {
  return {
    clients: (option("clients") ?? "1000").split(",").map(Number),
    messages: Number(option("messages") ?? 10),
    rate: Number(option("rate") ?? 1),
  };
}
