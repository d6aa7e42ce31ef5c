// A side of bench/fold-ab.ts in a worker thread: its own V8 isolate, so its own heap, garbage collector and
// compiled code. It folds one batch each time the main thread raises the command word, then reports back.
import { parentPort, workerData } from 'node:worker_threads';
import { loadSide, type SideOptions, SLOT } from './side.ts';

const {
  options,
  ctl: ctlBuffer,
  out: outBuffer,
} = workerData as {
  options: SideOptions;
  ctl: SharedArrayBuffer;
  out: SharedArrayBuffer;
};
// ctl[0]: the batch the main thread asks for (1, 2, …; -1: stop); ctl[1]: the batch last done.
const ctl = new Int32Array(ctlBuffer);
const out = new Float64Array(outBuffer);
const side = await loadSide(options);
parentPort?.postMessage({ ready: true });
let last = 0;
for (;;) {
  Atomics.wait(ctl, 0, last);
  const command = Atomics.load(ctl, 0);
  if (command < 0) break;
  last = command;
  if (side.run(out, 0) === 0) out[SLOT.records] = 0;
  Atomics.store(ctl, 1, command);
  Atomics.notify(ctl, 1);
}
parentPort?.postMessage({ summary: side.summary() });
