/**
 * The worker of `bench/cpu_probe.ts`: pinned to one CPU, it runs the σ = 2 Gaussian of one 64³
 * chunk from a worker-local 80³ region (the chunked bench's kernel, with no data crossing
 * threads) for a given time and replies with the chunks it filtered per second.
 * @module
 */
import { gaussianFilterRegion } from "../src/filters/gaussian.ts";
import { pinThread } from "./pin_thread.ts";

/** A message to the probe worker: pin to a CPU, or run for some milliseconds. */
export type ProbeMessage = { pin: number } | { runMs: number };

const side = 256, halo = 8, chunk = 64;
const region = Float32Array.from({ length: (chunk + 2 * halo) ** 3 }, (_, i) => (i * 7919) % 997);
const out = new Float32Array(chunk ** 3);
const o = chunk; // an interior chunk of a 256³ volume
const task = {
  inputBox: {
    start: [o - halo, o - halo, o - halo],
    stop: [o + chunk + halo, o + chunk + halo, o + chunk + halo],
  },
  outputBox: { start: [o, o, o], stop: [o + chunk, o + chunk, o + chunk] },
  volumeShape: [side, side, side],
};

function run(ms: number): number {
  const started = performance.now();
  let count = 0, now = started;
  do {
    gaussianFilterRegion(region, task, { sigma: 2, out });
    count++;
    now = performance.now();
  } while (now - started < ms);
  return count / ((now - started) / 1000);
}

/** This worker's global scope (the type checker's default lib is the window's). */
const scope = self as unknown as {
  onmessage: (event: MessageEvent<ProbeMessage>) => void;
  postMessage: (value: number) => void;
};
scope.onmessage = (event) => {
  const message = event.data;
  if ("pin" in message) scope.postMessage(pinThread([], { cpu: message.pin }).partial);
  else scope.postMessage(run(message.runMs));
};
