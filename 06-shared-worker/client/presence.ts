// The Online list. This file is not the lesson: it is identical in every step with presence.
// Names are shown with textContent, like every other thing people typed.
import { element, userName } from "./ui.js";

const onlineList = element<HTMLUListElement>("#online");

// The whole list, as a page receives it once when it connects.
export function showOnline(users: string[]): void {
  onlineList.replaceChildren(...users.map(createItem));
}

// After that, only the changes arrive: one name that came online or went offline.
export function showJoined(user: string): void {
  if (findItem(user) !== undefined) {
    return;
  }
  // The list stays in the server's order (localeCompare): the new name goes before the first name after it.
  const next = shownItems().find((item) => (item.dataset.user ?? "").localeCompare(user) > 0);
  onlineList.insertBefore(createItem(user), next ?? null);
}

export function showLeft(user: string): void {
  findItem(user)?.remove();
}

function createItem(user: string): HTMLLIElement {
  const item = document.createElement("li");
  item.dataset.user = user;
  item.textContent = user === userName ? `${user} (you)` : user;
  return item;
}

function shownItems(): HTMLLIElement[] {
  return [...onlineList.querySelectorAll<HTMLLIElement>("li")];
}

function findItem(user: string): HTMLLIElement | undefined {
  return shownItems().find((item) => item.dataset.user === user);
}
