// Step 01: HTTP with manual refresh, the page's side.
// THE TECHNIQUE: one GET when the page loads. Nothing tells this page about new messages: the user must reload.
import { requestJson, sendChatMessage } from "./http.js";
import type { Update } from "./protocol.js";
import { onSend, replaceMessages, setStatus, showError, showMessages, userName } from "./ui.js";

async function loadHistory(): Promise<void> {
  setStatus("Loading the history…");
  try {
    const history = await requestJson<Update>("/api/messages");
    replaceMessages(history.messages);
    setStatus(`History loaded at ${new Date().toLocaleTimeString()}. Reload the page to see newer messages.`);
  } catch (error) {
    setStatus("The history could not be loaded. Reload the page to try again.");
    showError(error instanceof Error ? error.message : String(error));
  }
}

// Our own message comes back in the POST's answer, so we can show it; other people's we cannot see.
async function sendMessage(text: string): Promise<void> {
  const message = await sendChatMessage(userName, text);
  showMessages([message]);
}

onSend(sendMessage);
loadHistory();
