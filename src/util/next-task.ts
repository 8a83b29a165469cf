/**
 * Runs `callback` in a task of its own, after what the event loop already holds (input, other
 * tasks): a message to self where there is `MessageChannel` (a timeout nested a few levels deep
 * would be clamped to 4 ms), else a timeout.
 */
export function inNextTask(callback: () => void): void {
  if (typeof MessageChannel === 'undefined') {
    globalThis.setTimeout(callback, 0);
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    callback();
  };
  channel.port2.postMessage(null);
}
