/**
 * Releasing mappings when the process is told to stop (SIGINT, SIGTERM), without taking that
 * decision away from the program:
 * - while a port with `releaseOnExit` is open, one listener per signal is installed (once for all);
 * - on the signal every such port is closed (each within its close budget);
 * - then, if no other listener for that signal is left, the signal is raised again with ours
 *   removed, so the process ends exactly as it would have without porthole (killed by the signal);
 *   if the program listens for the signal itself, nothing more is done: its handler decides;
 * - a second signal while releasing, with no other listener, ends the process at once.
 */

const exitSignals = ["SIGINT", "SIGTERM"] as const;
type ExitSignal = (typeof exitSignals)[number];

const ports = new Set<{ close(): Promise<void> }>();
let releasing = false;
let installed = false;

function onSignal(signal: ExitSignal): void {
  if (releasing) {
    if (process.listenerCount(signal) === 1) raiseAgain(signal);
    return;
  }
  releasing = true;
  void Promise.allSettled([...ports].map((port) => port.close())).then(() => {
    releasing = false;
    if (ports.size === 0) uninstall();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function raiseAgain(signal: ExitSignal): void {
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of exitSignals) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of exitSignals) process.off(signal, onSignal);
}

/** Closes `port` on SIGINT/SIGTERM until the returned function is called (when it closes). */
export function releaseOnExit(port: { close(): Promise<void> }): () => void {
  install();
  ports.add(port);
  return () => {
    if (!ports.delete(port) || ports.size > 0) return;
    // The signal in progress, if any, still needs our listener to finish its work.
    if (!releasing) uninstall();
  };
}
