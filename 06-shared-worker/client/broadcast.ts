// BroadcastChannel: a message from this tab to every other tab of this browser that has the same origin and
// opened the same channel. It never reaches the server, another browser, another browser profile (or a private
// window), or another origin: for those, the message must go through the server.
// THE TECHNIQUE, second half: the worker shares the connection; this tells every tab what the browser did, here
// that it signed out. (In the fallback, where every tab has a worker of its own, only this reaches them all.)

// The channel's name is the namespace: any other script of this origin uses a name of its own.
const CHANNEL_NAME = "realtime-chat";
// Part of every message. A tab that runs an older version of this code ignores what it cannot understand.
const MESSAGE_VERSION = 1;

export type TabMessage = { type: "signed-out" };

type Envelope = TabMessage & { v: number };

const channel = new BroadcastChannel(CHANNEL_NAME);

// The other tabs receive it; this tab does not (a BroadcastChannel never echoes to its sender).
export function tellOtherTabs(message: TabMessage): void {
  const envelope: Envelope = { ...message, v: MESSAGE_VERSION };
  channel.postMessage(envelope);
}

export function onOtherTabs(receive: (message: TabMessage) => void): void {
  channel.addEventListener("message", (event: MessageEvent<Envelope>) => {
    if (event.data?.v !== MESSAGE_VERSION) {
      console.info("Ignored a message from a tab that runs another version of this page:", event.data);
      return;
    }
    receive(event.data);
  });
}
