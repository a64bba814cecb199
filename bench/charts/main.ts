// `npm run charts`: draws the course's pictures again from the latest result files, without measuring anything.
import { drawCharts } from "./draw.ts";

for (const path of drawCharts()) {
  console.log(`Drew ${path}`);
}
