// The words of the benchmark's pictures in Ukrainian (the table of words.ts, for NAME.uk.svg). The result files record
// the steps' titles and the lanes' names in English: each one the benchmark writes is matched here.
// bench/tests/charts.test.ts fails when a Ukrainian picture holds an English word it does not expect, so a new label
// in the benchmark cannot leave English on the Ukrainian pictures unnoticed. The deck's Ukrainian comparison slides
// (slides/comparison-uk.ts) use the same steps' titles and baselines.
import { formatCount } from "../../tools/report.ts";
import type { ChartWords } from "./words.ts";

// The steps' titles as the result files write them, in Ukrainian.
export const UKRAINIAN_STEP_TITLES: Record<string, string> = {
  "HTTP with manual refresh": "HTTP з ручним оновленням",
  "Short polling": "Коротке опитування",
  "Long polling": "Довге опитування",
  WebSockets: "Вебсокети",
  "Server-Sent Events": "Server-Sent Events",
  "SharedWorker and BroadcastChannel": "SharedWorker і BroadcastChannel",
};

// The load test's baselines: "bare poll (baseline)", "minimal Express poll (baseline)". The protocol is a name.
const BASELINES: [RegExp, string][] = [
  [/^bare (\w+) \(baseline\)$/, "голий $1 (еталон)"],
  [/^minimal Express (\w+) \(baseline\)$/, "мінімальний Express $1 (еталон)"],
];

// The lanes of a timeline, as the benchmark names them (bench/browser.ts, bench/network-recorder.ts).
const LANES: [RegExp, string][] = [
  [/^(.+), tab (\d+)$/, "$1, вкладка $2"],
  [/^(.+)'s shared worker$/, "спільний воркер $1"],
  [/^a shared worker$/, "спільний воркер"],
];

// The three forms a Ukrainian noun takes after a number: 1 вкладка, 2 вкладки, 5 вкладок (and 21 вкладка,
// 22 вкладки, 25 вкладок). Intl.PluralRules knows which number takes which.
interface Forms {
  one: string;
  few: string;
  many: string;
}

const PLURAL_RULES = new Intl.PluralRules("uk");

const TABS: Forms = { one: "вкладка", few: "вкладки", many: "вкладок" };
const MESSAGES: Forms = { one: "повідомлення", few: "повідомлення", many: "повідомлень" };
const EVENTS: Forms = { one: "подія", few: "події", many: "подій" };

// "04 Вебсокети" for "04 WebSockets", "голий poll (еталон)" for "bare poll (baseline)"; any other label as it is.
export function ukrainianRunLabel(label: string): string {
  const step = /^(\d{2}) (.+)$/.exec(label);
  const title = UKRAINIAN_STEP_TITLES[step?.[2] ?? ""];
  if (step && title !== undefined) {
    return `${step[1]} ${title}`;
  }
  return replaceAll(label, BASELINES);
}

export const UKRAINIAN_WORDS: ChartWords = {
  stepTitle: (title) => UKRAINIAN_STEP_TITLES[title] ?? title,
  runLabel: ukrainianRunLabel,
  ran: (command, date, cpu, cores) =>
    `${command}, ${date}, ${cpu}, ${counted(cores, { one: "ядро", few: "ядра", many: "ядер" })}`,
  measured: (command, date) => `Виміряно ${date} командою ${command}.`,
  glance: {
    title: "Шість технік одним поглядом, виміряно в Chromium",
    user: (name, tabs) => `${name} (${counted(tabs, TABS)})`,
    subtitle: (users, messages, idleSeconds) =>
      `${users.join(" і ")}: ${counted(messages, MESSAGES)}, потім ${idleSeconds} s тиші. Що коротший стовпчик, то краще.`,
    panels: {
      latencyMedian: "Затримка, медіана",
      latencyP95: "Затримка, 95-й процентиль",
      requests: "HTTP-запити під час розмови",
      bytesPerMessage: "Байтів на доставлене повідомлення",
      bytesPerMinuteOfSilence: "Байтів за хвилину тиші",
      connections: "Відкриті з'єднання TCP",
    },
    needsReload: "н/д (треба перезавантажити)",
    notAvailable: "н/д",
    footer: (ran, tabs) => `${ran}; ${counted(tabs, TABS)}. Числа: bench/results/latest.md.`,
  },
  growth: {
    title: "Як зростає ціна з кількістю клієнтів",
    subtitle: (messages, rate) =>
      `Один відправник, ${counted(messages, MESSAGES)} по ${rate} за секунду, кожному клієнту. Суцільна лінія — крок; пунктир — голий сервер того ж протоколу.`,
    panels: {
      cpu: "Процесор сервера на доставку",
      latencyP99: "Затримка p99 (лог. шкала)",
      delivered: "Доставлено повідомлень",
    },
    clientsAxis: "клієнти",
    clients: (count) => counted(count, { one: "клієнт", few: "клієнти", many: "клієнтів" }),
    footer: (ran) => `${ran}. Числа: bench/results/load-latest.md.`,
  },
  timeline: {
    everyStepTitle: "Що показує вкладка Network: ті самі 30 s того самого чату в кожному кроці",
    stepsTitle: (steps) => `Що показує вкладка Network ${ukrainianSteps(steps)}, за 30 s чату`,
    key: [
      "Смуга — HTTP-запит від початку до кінця; точка — фрейм WebSocket (зафарбована: отриманий, порожня: надісланий);",
      "риска — подія Server-Sent Events; пунктир — надіслане повідомлення.",
    ],
    lane: (label) => replaceAll(label, LANES),
    summary: (requests, frames, events) =>
      [
        counted(requests, { one: "HTTP-запит", few: "HTTP-запити", many: "HTTP-запитів" }),
        counted(frames, { one: "фрейм WebSocket", few: "фрейми WebSocket", many: "фреймів WebSocket" }),
        counted(events, EVENTS),
      ].join(", "),
    recorded: (command, date) => `Записано ${date} командою ${command}.`,
    laneCounts: (lane, requests, frames, events) =>
      [
        `${lane}: ${counted(requests, { one: "запит", few: "запити", many: "запитів" })}`,
        counted(frames, { one: "фрейм", few: "фрейми", many: "фреймів" }),
        counted(events, EVENTS),
      ].join(", "),
    stepCounts: (step, summary, seconds, lanes) => `${step}: ${summary} за ${seconds} s (${lanes.join("; ")}).`,
    footer: (ran) => `${ran}. Записано через протокол DevTools кожної вкладки й воркера.`,
  },
};

// "у кроці 01", "у кроках 01 і 02", "у кроках 01, 03 і 05".
function ukrainianSteps(steps: string[]): string {
  return steps.length === 1 ? `у кроці ${steps[0]}` : `у кроках ${steps.slice(0, -1).join(", ")} і ${steps.at(-1)}`;
}

// "2 ядра", "5 вкладок": the number in the course's figures (1,000), the noun in the form that number takes.
function counted(value: number, forms: Forms): string {
  const rule = PLURAL_RULES.select(value);
  // "other" is the form of fractions: the pictures count only whole things.
  const form = rule === "one" || rule === "few" ? forms[rule] : forms.many;
  return `${formatCount(value)} ${form}`;
}

function replaceAll(text: string, patterns: [RegExp, string][]): string {
  return patterns.reduce((replaced, [english, ukrainian]) => replaced.replace(english, ukrainian), text);
}
