// What every chart of the course shares: the size of a slide, type large enough for a projector, one colour per step
// from a palette that colour-blind readers can tell apart (Okabe and Ito), and text that is always escaped.

export const WIDTH = 1280;
export const HEIGHT = 720;
export const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";
export const TEXT_COLOUR = "#1a1a1a";
export const GRID_COLOUR = "#d0d0d0";

// Okabe-Ito: distinct for the common kinds of colour blindness, one for each step in order. Step 01 has no live
// delivery, so it is grey.
const PALETTE = ["#8c8c8c", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"];

export function stepColour(step: number): string {
  return PALETTE[(step - 1) % PALETTE.length] ?? TEXT_COLOUR;
}

// "04 WebSockets": the step's number and its title from the step list, as the results files carry them.
export function stepLabel(step: number, title: string): string {
  return `${String(step).padStart(2, "0")} ${title}`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export interface TextOptions {
  size?: number;
  anchor?: "start" | "middle" | "end";
  weight?: "normal" | "bold";
  colour?: string;
}

export function text(x: number, y: number, content: string, options: TextOptions = {}): string {
  const { size = 18, anchor = "start", weight = "normal", colour = TEXT_COLOUR } = options;
  return `<text x="${round(x)}" y="${round(y)}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${colour}">${escapeXml(content)}</text>`;
}

export function rect(x: number, y: number, width: number, height: number, fill: string): string {
  return `<rect x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${round(height)}" fill="${fill}"/>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, dashed = false): string {
  const dash = dashed ? ` stroke-dasharray="8 6"` : "";
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${stroke}" stroke-width="2"${dash}/>`;
}

// A whole picture: its title and description are what a screen reader says instead of the picture.
export function svgDocument(title: string, description: string, body: string[], height = HEIGHT): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="title description" font-family="${FONT}">`,
    `<title id="title">${escapeXml(title)}</title>`,
    `<desc id="description">${escapeXml(description)}</desc>`,
    rect(0, 0, WIDTH, height, "#ffffff"),
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

// Coordinates with at most one decimal, so the files stay small and the same input draws the same bytes.
export function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}
