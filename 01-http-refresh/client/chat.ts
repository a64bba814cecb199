// Step 01: HTTP with manual refresh, the page's side.
// THE TECHNIQUE: the page loads the history when it opens, and again after each send (like a classic form
// that posts and then shows the page anew). Nothing tells it about other people's messages in between.
import { requestJson, sendChatMessage } from "./http.js";
import type { Update } from "./protocol.js";
import { onSend, replaceMessages, setStatus, showError, userName } from "./ui.js";

async function loadHistory(): Promise<void> {
  setStatus("Loading the history…");
  try {
    const history = await requestJson<Update>("/api/messages");
    replaceMessages(history.messages);
    setStatus(`History as of ${new Date().toLocaleTimeString()}. Reload the page (or send) to see newer messages.`);
  } catch (error) {
    setStatus("The history could not be loaded. Reload the page to try again.");
    showError(error instanceof Error ? error.message : String(error));
  }
}

async function sendMessage(text: string): Promise<void> {
  await sendChatMessage(userName, text);
  await loadHistory();
}

onSend(sendMessage);
loadHistory();
