/** Shared by the outbox specs: an outbox on a virtual clock that records what it drops. */
import { VirtualTimeScheduler } from 'rxjs';
import { DropReason, Outbox, OutboxConfig } from '../../src/client/outbox';
import { textFrame } from '../../src/frame';

/** An outbox of strings; `push` sizes a message by its length unless told, `drain` shifts everything out. */
export function makeOutbox(config?: OutboxConfig) {
  const drops: [string, DropReason][] = [];
  const outbox = new Outbox<string>(config, new VirtualTimeScheduler(), (entry, reason) => drops.push([entry.message, reason]));
  const push = (message: string, bytes = message.length) => outbox.push(message, textFrame(message), bytes);
  const drain = () => {
    const out: string[] = [];
    for (let entry = outbox.shift(); entry !== undefined; entry = outbox.shift()) out.push(entry.message);
    return out;
  };
  return { outbox, drops, push, drain };
}
