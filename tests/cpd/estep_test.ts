import assert from "node:assert/strict";
import {
  createEStepBuffers,
  eStepDense,
  eStepGrid,
  MovingGrid,
  sampleSurfaceCloud,
  truncationRadiusFactor,
} from "../../src/cpd/mod.ts";
import { LOG2E_TIMES_32, pow2Over32 } from "../../src/cpd/fast_exp.ts";
import { eStepDenseJs } from "../../src/cpd/estep_dense_js.ts";
import { eStepGridJs } from "../../src/cpd/estep_grid_js.ts";

function planar(points: Float64Array): Float64Array {
  const n = points.length / 3;
  const out = new Float64Array(points.length);
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) out[i + a * n] = points[3 * i + a]!;
  return out;
}

/** Textbook CPD posterior with an explicit M×N matrix and Math.exp (the reference). */
function naivePosterior(x: Float64Array, y: Float64Array, sigma2: number, w: number) {
  const n = x.length / 3, m = y.length / 3;
  const c = Math.pow(2 * Math.PI * sigma2, 1.5) * (w / (1 - w)) * (m / n);
  const p1 = new Float64Array(m), pt1 = new Float64Array(n), px = new Float64Array(3 * m);
  let likelihood = 0;
  for (let i = 0; i < n; i++) {
    const k = new Float64Array(m);
    let den = 0;
    for (let j = 0; j < m; j++) {
      let d2 = 0;
      for (let a = 0; a < 3; a++) d2 += (x[3 * i + a]! - y[3 * j + a]!) ** 2;
      k[j] = Math.exp(-d2 / (2 * sigma2));
      den += k[j]!;
    }
    likelihood += Math.log(den + c);
    for (let j = 0; j < m; j++) {
      const p = k[j]! / (den + c);
      p1[j]! += p;
      pt1[i]! += p;
      for (let a = 0; a < 3; a++) px[j + a * m]! += p * x[3 * i + a]!;
    }
  }
  likelihood += n * Math.log((1 - w) / (m * Math.pow(2 * Math.PI * sigma2, 1.5)));
  return { p1, pt1, px, likelihood };
}

function maxRelative(a: Float64Array, b: Float64Array): number {
  let worst = 0, scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}

Deno.test("pow2Over32() matches Math.exp to 1e-13 relative over [-700, 0]", () => {
  for (let x = 0; x <= 700; x += 0.0371) {
    const fast = pow2Over32(-x * LOG2E_TIMES_32), exact = Math.exp(-x);
    assert.ok(Math.abs(fast - exact) <= 1e-13 * exact, `x = ${x}`);
  }
  assert.equal(pow2Over32(-0), 1);
  assert.equal(pow2Over32(-1e6), 0);
});

Deno.test("eStepDense() equals the explicit-matrix posterior to 1e-12", () => {
  const x = sampleSurfaceCloud(150, 1, { noise: 0.01, outlierFraction: 0.1 });
  const y = sampleSurfaceCloud(120, 2, { noise: 0.01, outlierFraction: 0.1 });
  for (const sigma2 of [0.5, 0.01]) {
    const buffers = createEStepBuffers(planar(x), planar(y));
    const totals = eStepDense(buffers, sigma2, 0.1);
    const ref = naivePosterior(x, y, sigma2, 0.1);
    assert.ok(maxRelative(buffers.p1, ref.p1) <= 1e-12);
    assert.ok(maxRelative(buffers.pt1, ref.pt1) <= 1e-12);
    assert.ok(maxRelative(buffers.px, ref.px) <= 1e-12);
    assert.ok(Math.abs(totals.logLikelihood - ref.likelihood) <= 1e-9 * Math.abs(ref.likelihood));
    assert.equal(totals.pairs, 150 * 120);
  }
});

Deno.test("eStepDense() over split ranges sums to the whole", () => {
  const x = planar(sampleSurfaceCloud(90, 3)), y = planar(sampleSurfaceCloud(70, 4));
  const whole = createEStepBuffers(x, y), split = createEStepBuffers(x, y);
  const a = eStepDense(whole, 0.05, 0.2);
  const b1 = eStepDense(split, 0.05, 0.2, 0, 40), b2 = eStepDense(split, 0.05, 0.2, 40, 90);
  assert.ok(Math.abs(b1.np + b2.np - a.np) <= 1e-12 * a.np);
  assert.ok(maxRelative(split.p1, whole.p1) <= 1e-13);
});

Deno.test("eStepGrid() stays within its stated error bound of the dense E-step", () => {
  const x = planar(sampleSurfaceCloud(400, 5, { noise: 0.01, outlierFraction: 0.1 }));
  const y = planar(sampleSurfaceCloud(350, 6, { noise: 0.01, outlierFraction: 0.1 }));
  const sigma2 = 0.002;
  const dense = createEStepBuffers(x, y), cut = createEStepBuffers(x, y);
  eStepDense(dense, sigma2, 0.1);
  const radius = truncationRadiusFactor(350, 1e-6) * Math.sqrt(sigma2);
  const grid = new MovingGrid(350);
  grid.build(y, radius);
  const totals = eStepGrid(cut, grid, sigma2, 0.1, radius);
  assert.ok(totals.pairs < 400 * 350 / 2, `grid visited ${totals.pairs} pairs`);
  assert.ok(
    totals.truncationError > 0 && totals.truncationError < 0.05,
    `${totals.truncationError}`,
  );
  // every Pt1 entry (a sum of posteriors of one fixed point) is within the bound
  for (let i = 0; i < 400; i++) {
    assert.ok(Math.abs(cut.pt1[i]! - dense.pt1[i]!) <= totals.truncationError + 1e-15);
  }
  for (let j = 0; j < 350; j++) {
    assert.ok(Math.abs(cut.p1[j]! - dense.p1[j]!) <= 400 * totals.truncationError + 1e-12);
  }
});

Deno.test("eStepDense() kernel values match Math.exp to 1e-15 relative over [-708, 0]", () => {
  // one fixed point at the origin, moving points along x at distance d: k = exp(-d²) (σ² = ½);
  // with w = 0 the posteriors are k_j / Σk, so P1_j / P1_0 recovers k_j (k_0 = 1)
  const exponents: number[] = [0];
  for (let t = 1e-3; t < 708; t *= 1.013) exponents.push(t);
  const m = exponents.length + 2;
  const moving = new Float64Array(3 * m);
  exponents.forEach((t, j) => (moving[j] = Math.sqrt(t)));
  moving[m - 2] = Math.sqrt(708.4); // below the normal range: exactly 0
  moving[m - 1] = 1e6;
  const buffers = createEStepBuffers(new Float64Array(3), moving);
  eStepDense(buffers, 0.5, 0);
  let worst = 0;
  exponents.forEach((t, j) => {
    const kernel = buffers.p1[j]! / buffers.p1[0]!, exact = Math.exp(-(moving[j]! ** 2));
    worst = Math.max(worst, Math.abs(kernel - exact) / exact);
    assert.ok(t === 0 || kernel < 1);
  });
  assert.ok(worst <= 1e-15, `worst relative error ${worst}`);
  assert.equal(buffers.p1[m - 2], 0);
  assert.equal(buffers.p1[m - 1], 0);
});

Deno.test("eStepDense() (WebAssembly) equals eStepDenseJs() with odd M and many row batches", () => {
  const x = planar(sampleSurfaceCloud(403, 5, { noise: 0.01, outlierFraction: 0.1 }));
  const y = planar(sampleSurfaceCloud(101, 6, { noise: 0.01, outlierFraction: 0.1 }));
  for (const sigma2 of [1, 0.02, 1e-5]) {
    const wasm = createEStepBuffers(x, y), js = createEStepBuffers(x, y);
    const a = eStepDense(wasm, sigma2, 0.1, 7, 399);
    const b = eStepDenseJs(js, sigma2, 0.1, 7, 399);
    assert.ok(maxRelative(wasm.p1, js.p1) <= 1e-13, `p1 at σ² = ${sigma2}`);
    assert.ok(maxRelative(wasm.px, js.px) <= 1e-13, `px at σ² = ${sigma2}`);
    assert.ok(maxRelative(wasm.pt1, js.pt1) <= 1e-13, `pt1 at σ² = ${sigma2}`);
    assert.ok(Math.abs(a.np - b.np) <= 1e-12 * Math.max(1, b.np));
    assert.ok(Math.abs(a.logLikelihood - b.logLikelihood) <= 1e-11 * Math.abs(b.logLikelihood));
    assert.equal(a.pairs, 392 * 101);
    for (let i = 0; i < 7; i++) assert.equal(wasm.pt1[i], 0, "rows outside the range untouched");
  }
});

Deno.test("eStepGrid() (WebAssembly) equals eStepGridJs() over ranges, radii and batches", () => {
  const x = planar(sampleSurfaceCloud(700, 7, { noise: 0.01, outlierFraction: 0.1 }));
  const y = planar(sampleSurfaceCloud(333, 8, { noise: 0.01, outlierFraction: 0.1 }));
  for (const sigma2 of [0.05, 0.002]) {
    for (const factor of [1, truncationRadiusFactor(333, 1e-6)]) {
      const radius = factor * Math.sqrt(sigma2);
      const grid = new MovingGrid(333);
      grid.build(y, radius);
      const wasm = createEStepBuffers(x, y), js = createEStepBuffers(x, y);
      const a = eStepGrid(wasm, grid, sigma2, 0.1, radius, 3, 650);
      const b = eStepGridJs(js, grid, sigma2, 0.1, radius, 3, 650);
      const label = `σ² = ${sigma2}, r = ${radius.toFixed(3)}`;
      assert.ok(maxRelative(wasm.p1, js.p1) <= 1e-13, `p1, ${label}`);
      assert.ok(maxRelative(wasm.px, js.px) <= 1e-13, `px, ${label}`);
      assert.ok(maxRelative(wasm.pt1, js.pt1) <= 1e-13, `pt1, ${label}`);
      assert.ok(Math.abs(a.logLikelihood - b.logLikelihood) <= 1e-11 * Math.abs(b.logLikelihood));
      assert.equal(a.pairs, b.pairs);
      assert.ok(Math.abs(a.truncationError - b.truncationError) <= 1e-12 * b.truncationError);
      assert.ok(a.np > 0, label);
    }
  }
});
