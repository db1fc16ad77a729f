import type { ManagedPort, ManagedPortEvents } from "../../../src/index.js";

export const eventNames: ReadonlyArray<keyof ManagedPortEvents> = ["mapped", "renewed", "lost", "restored", "external-address-changed", "port-changed", "error", "released"];

/** Every event of `port`, in order, as `[name, payload]`. */
export function recordEvents(port: ManagedPort): Array<[keyof ManagedPortEvents, unknown]> {
  const events: Array<[keyof ManagedPortEvents, unknown]> = [];
  for (const name of eventNames) port.on(name, (payload: unknown) => void events.push([name, payload]));
  return events;
}

/** The payload of the next `name` event (fails after `timeoutMs` of real time). */
export function nextEvent<K extends keyof ManagedPortEvents>(port: ManagedPort, name: K, timeoutMs = 5000): Promise<ManagedPortEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      port.off(name, listener as never);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: ManagedPortEvents[K][0]): void => {
      clearTimeout(timer);
      resolve(payload);
    };
    port.once(name, listener as never);
  });
}

/** The names of the events recorded so far. */
export const names = (events: ReadonlyArray<[string, unknown]>): string[] => events.map(([name]) => name);

