// Where the deck and the repository are on disk. In a file of its own, so that the tools that read the slides
// (excerpts, diagrams, the PDF) need not import the deck's web server to learn it.
import { fileURLToPath } from "node:url";

export const SLIDES_DIR = fileURLToPath(new URL(".", import.meta.url));
export const REPOSITORY_DIR = fileURLToPath(new URL("..", import.meta.url));
