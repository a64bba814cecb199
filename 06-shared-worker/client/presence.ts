// The Online list. This file is not the lesson: it is identical in every step with presence.
// Names are shown with textContent, like every other thing people typed.
import { element, userName } from "./ui.js";

const onlineList = element<HTMLUListElement>("#online");

export function showOnline(users: string[]): void {
  const items = users.map((user) => {
    const item = document.createElement("li");
    item.textContent = user === userName ? `${user} (you)` : user;
    return item;
  });
  onlineList.replaceChildren(...items);
}
