// The Ukrainian deck's comparison slides: the same reports (bench/results/latest.md, load-latest.md), with their
// prose and table labels put into Ukrainian and every figure copied as it stands. The reports are written by the
// benchmark in English; each sentence they can hold is matched here, its figures taken from the match.
// slides/tests/comparison.test.ts fails when the latest reports hold a sentence or label this file does not know,
// so a change to the benchmark's wording cannot leave English prose on the Ukrainian slides unnoticed. The steps' titles
// and the load test's baselines are the Ukrainian pictures' words too (bench/charts/words-uk.ts): they come from there.
import { ukrainianRunLabel } from "../bench/charts/words-uk.ts";

// The words of the slides that comparison.ts writes around the reports.
export const UKRAINIAN_WORDS = {
  glanceTitle: "Бенчмарк: кроки в справжніх браузерах",
  timelineTitle: "Що показує вкладка Network, крок за кроком",
  growthTitle: "Як зростає ціна з кількістю клієнтів",
  methodTitle: "Як виміряно ці числа",
  drawnBy: "Намальовано бенчмарком із bench/results.",
  tablesInNotes: " Таблиці в нотатках доповідача.",
  glanceAlt:
    "Стовпчикові діаграми, по стовпчику на крок: затримка, запити, байти на повідомлення, байти в тиші й відкриті з'єднання",
  timelineAlt: (steps: string[]) =>
    `Кроки ${steps.join(" і ")}, ті самі 30 секунд чату: запити кожної вкладки як смуги, фрейми WebSocket як точки, події як риски`,
  timelineNotes: {
    1: "Крок 01: запит лише тоді, коли надсилають повідомлення, між ними нічого.",
    2: "Крок 02: коротка смужка на кожне опитування в кожній вкладці, незалежно від того, чи щось сталося.",
    3: "Крок 03: довгі смужки, кожна — запит, утримуваний до надходження повідомлення, а тоді одразу новий.",
    4: "Крок 04: жодних HTTP-запитів, по крапці на кожен фрейм WebSocket.",
    5: "Крок 05: одна смуга на весь час (потік подій), позначка на кожну подію, короткий POST на кожне надіслане повідомлення.",
    6: "Крок 06: вкладки нічого не надсилають; фрейми для всіх вкладок браузера несе його спільний воркер.",
  },
  growthAlt:
    "Графіки залежно від кількості клієнтів: процесор сервера на повідомлення, затримка й доставлені повідомлення",
};

export const UKRAINIAN_NO_RESULTS_YET = `## Порівняння: виміряно, а не вгадано

У цій копії репозиторію ще немає виміряних чисел. Щоб їх отримати:

1. Запустіть \`npm run bench\`. Він записує \`bench/results/latest.md\`.
2. Перезавантажте цю сторінку: тут з'являться числа з цього файлу.

Note:
Презентація читає bench/results/latest.md щоразу, коли сторінка завантажується. Не заповнюйте цей слайд числами
звідкись іще: вони залежать від машини, кількості вкладок і частоти повідомлень, тож порівнювати можна лише числа,
виміряні власним бенчмарком курсу.`;

// The benchmark's sentences, each with its Ukrainian, in the order the reports write them.
const SENTENCES: [RegExp, string][] = [
  [/Date: (\S+)\. Command: (`[^`]+`)\./g, "Дата: $1. Команда: $2."],
  [
    /Machine: ([^,;]+), (\d+) cores, ([\d.]+) GiB, ([^;]+); Node ([^;]+);( Chromium ([^;]+);)?/g,
    "Машина: $1, ядер: $2, $3 GiB, $4; Node $5;$6",
  ],
  [
    /load average at the start ([\d., ]+?), at the end ([\d., ]+?) \(1, 5 and 15 minutes\)\./g,
    "середнє навантаження (load average) на початку $1, наприкінці $2 (за 1, 5 і 15 хвилин).",
  ],
  [/(\w+) \((\d+) tabs?\)/g, "$1 (вкладок: $2)"],
  [/: (\d+) tabs in (\d+) browser profiles\./g, "; усього вкладок: $1, профілів браузера: $2."],
  [
    /(\d+) messages, one every (\d+) ms, sent by the first tab of each user in turn;/g,
    "Повідомлень: $1, по одному кожні $2 ms; їх по черзі надсилає перша вкладка кожного користувача;",
  ],
  [/each is expected in the (\d+) other tabs\./g, "кожне має з'явитися в інших вкладках (їх $1)."],
  [
    /Counting starts (\d+) ms after the pages load and covers the conversation plus (\d+) ms; then (\d+) s of silence \(the idle columns\)\./g,
    "Лік починається через $1 ms після завантаження сторінок і охоплює розмову та ще $2 ms; далі $3 s тиші (стовпці простою).",
  ],
  [
    /Step (\d+): (\d+) of (\d+) tabs had not loaded after (\d+) s; their messages count as not delivered\./g,
    "Крок $1: вкладок, що не завантажилися за $4 s: $2 із $3; їхні повідомлення вважаються не доставленими.",
  ],
  [
    /Requests, bytes and connections are counted at the server's sockets \(HTTP headers and WebSocket frames included\)\./g,
    "Запити, байти та з'єднання пораховано на сокетах сервера (разом із заголовками HTTP і фреймами WebSocket).",
  ],
  [
    /Latency is from the click on Send to the message appearing in another tab\./g,
    "Затримка: від натискання Send до появи повідомлення в іншій вкладці.",
  ],
  [/See bench\/README\.md for every column\./g, "Про кожен стовпець: bench/README.md."],
];

// Table cells: the column names of both reports and the words the benchmark writes into cells.
const CELLS: Record<string, string> = {
  Step: "Крок",
  Server: "Сервер",
  Clients: "Клієнти",
  Delivered: "Доставлено",
  "Latency p50": "Затримка p50",
  "Latency p95": "Затримка p95",
  p99: "p99",
  max: "макс.",
  Requests: "Запити",
  Bytes: "Байти",
  "Bytes per delivered message": "Байтів на доставлене повідомлення",
  "Bytes per delivery": "Байтів на доставку",
  "Idle requests / min": "Запитів у тиші / хв",
  "Idle requests / s": "Запитів у тиші / с",
  "Idle bytes / min": "Байтів у тиші / хв",
  "TCP connections open": "Відкриті з'єднання TCP",
  "WebSockets open": "Відкриті вебсокети",
  "Server CPU per delivery": "Процесор сервера на доставку",
  "CPU vs bare": "Процесор проти голого",
  "CPU vs Express": "Процесор проти Express",
  "p99 vs Express": "p99 проти Express",
  "Server RSS": "RSS сервера",
  "Client CPU": "Процесор клієнтів",
  "Sent while connecting": "Надіслано під час з'єднання",
  Targets: "Цілі",
  "none live": "жодного наживо",
  "n/a (needs reload)": "н/д (треба перезавантажити)",
  "n/a (none arrived)": "н/д (нічого не прийшло)",
  baseline: "еталон",
  met: "досягнуто",
};

// The load test's missed targets ("missed: CPU 1.26x > 1.25x").
const CELL_PATTERNS: [RegExp, string][] = [
  // The load test lists what missed: "delivered 99.5%" first when it did, then CPU and p99 ratios as figures.
  [/^missed: delivered ([\d.]+%)/, "не досягнуто: доставлено $1"],
  [/^missed: /, "не досягнуто: "],
];

export function translateReportText(text: string): string {
  return SENTENCES.reduce((translated, [english, ukrainian]) => translated.replace(english, ukrainian), text);
}

function translateCell(cell: string): string {
  const known = CELLS[cell];
  if (known !== undefined) {
    return known;
  }
  // A step ("02 Short polling") or a baseline ("bare poll (baseline)").
  const label = ukrainianRunLabel(cell);
  if (label !== cell) {
    return label;
  }
  return CELL_PATTERNS.reduce((translated, [english, ukrainian]) => translated.replace(english, ukrainian), cell);
}

// A Markdown table row, "| a | b |", with each cell translated; the separator row stays as it is.
export function translateTableRow(row: string): string {
  if (/^\|[\s|:-]+\|$/.test(row.trim())) {
    return row;
  }
  const cells = row.trim().slice(1, -1).split("|");
  return `| ${cells.map((cell) => translateCell(cell.trim())).join(" | ")} |`;
}
