// Draws slides/diagrams/NAME.svg from every slides/diagrams/NAME.txt. Usage: npx tsx slides/draw-diagrams.ts
import { relative } from "node:path";
import { drawAllDiagrams } from "./sequence-diagram.ts";
import { REPOSITORY_DIR } from "./paths.ts";

const written = drawAllDiagrams();
for (const file of written) {
  console.log(`Drew ${relative(REPOSITORY_DIR, file)}`);
}
if (written.length === 0) {
  console.log("Every diagram is up to date.");
}
