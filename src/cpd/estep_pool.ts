/**
 * A pool of Web Workers (comlink) that split each E-step by ranges of fixed points. Points and
 * accumulators live in SharedArrayBuffers: per iteration the only copy is T(Y) into shared
 * memory (3M doubles) and the merge of the per-worker P1 / PX partials (4M doubles each).
 * @module
 */
import * as Comlink from "comlink";
import type { EStepRequest } from "./em.ts";
import type { EStepTotals } from "./estep_types.ts";
import type { eStepWorkerApi } from "./estep_worker.ts";

/** Splits E-steps over `size` workers; `close()` when done. */
export class EStepPool {
  private workers: Worker[] = [];
  private remotes: Comlink.Remote<typeof eStepWorkerApi>[] = [];
  private fixedSource: Float64Array | undefined;
  private pt1 = new Float64Array(new SharedArrayBuffer(8));
  private moving = new Float64Array(new SharedArrayBuffer(8));
  private partials: Float64Array<SharedArrayBuffer>[] = [];

  /** @param size number of workers (≥ 1) */
  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./estep_worker.ts", import.meta.url).href, {
        type: "module",
      });
      this.workers.push(worker);
      this.remotes.push(Comlink.wrap<typeof eStepWorkerApi>(worker));
    }
  }

  /**
   * Run one E-step across the workers, filling `request.buffers` like the local E-step.
   * @param request the E-step request
   * @returns the merged totals
   */
  async run(request: EStepRequest): Promise<EStepTotals> {
    const { buffers, sigma2, w, radius } = request;
    const n = buffers.fixedCount, m = buffers.movingCount;
    if (this.fixedSource !== buffers.fixed) await this.shareFixed(buffers.fixed);
    if (this.moving.length < 3 * m) this.moving = new Float64Array(new SharedArrayBuffer(24 * m));
    this.moving.set(buffers.moving);
    for (let i = 0; i < this.size; i++) {
      if ((this.partials[i]?.length ?? 0) < 4 * m) {
        this.partials[i] = new Float64Array(new SharedArrayBuffer(32 * m));
      }
    }
    const results = await Promise.all(this.remotes.map((remote, i) =>
      remote.run(
        this.moving.buffer,
        m,
        sigma2,
        w,
        radius,
        this.partials[i]!.buffer,
      )
    ));
    const { p1, px, pt1 } = buffers;
    for (const partial of this.partials.slice(0, this.size)) {
      for (let j = 0; j < m; j++) p1[j]! += partial[j]!;
      for (let j = 0; j < 3 * m; j++) px[j]! += partial[m + j]!;
    }
    pt1.set(this.pt1.subarray(0, n));
    return {
      np: results.reduce((s, r) => s + r.np, 0),
      logLikelihood: results.reduce((s, r) => s + r.logLikelihood, 0),
      pairs: results.reduce((s, r) => s + r.pairs, 0),
      truncationError: Math.max(...results.map((r) => r.truncationError)),
    };
  }

  /** Terminate the workers. */
  close(): void {
    for (const remote of this.remotes) remote[Comlink.releaseProxy]();
    for (const worker of this.workers) worker.terminate();
    this.workers = [];
    this.remotes = [];
  }

  private async shareFixed(fixed: Float64Array): Promise<void> {
    const n = fixed.length / 3;
    const shared = new Float64Array(new SharedArrayBuffer(8 * fixed.length));
    shared.set(fixed);
    this.pt1 = new Float64Array(new SharedArrayBuffer(8 * Math.max(n, 1)));
    await Promise.all(this.remotes.map((remote, i) =>
      remote.setFixed(
        shared.buffer,
        this.pt1.buffer,
        Math.floor((i * n) / this.size),
        Math.floor(((i + 1) * n) / this.size),
      )
    ));
    this.fixedSource = fixed;
  }
}
