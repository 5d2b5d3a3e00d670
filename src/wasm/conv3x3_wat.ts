/**
 * WebAssembly text of the EM CNN's 3×3 "same" convolution (f32x4 SIMD), generated so that the
 * nine taps are unrolled by template. `deno task build-wasm` assembles it into
 * `conv3x3_wasm.ts`; `src/em/cnn_wasm.ts` runs it.
 *
 * Layout as in `src/em/cnn_layers.ts`: padded planes of `(h + 2) × (w + 2)` float32 with a zero
 * border. For each output channel and input channel the nine weights are splatted once, then
 * every interior row is swept 4 pixels at a time: `out += Σ w_k · input shifted by tap k`, in
 * tap order (f32 rounding after each multiply and add: results differ from the TypeScript
 * kernel, which sums in float64, by float32 rounding only). The row width `w` must be a
 * multiple of 4, so the vector steps never touch the right border.
 * @module
 */

/** The nine taps as (row, column) in the 3×3 window, in weight order. */
const TAPS = [0, 1, 2].flatMap((row) => [0, 1, 2].map((column) => [row, column] as const));

/** `acc += w_k · input[row k][x + column k]` for all nine taps. */
function taps(): string {
  return TAPS.map(([row, column], k) =>
    `(local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w${k})
      (v128.load offset=${4 * column} (local.get $r${row})))))`
  ).join("\n");
}

/**
 * The module: memory (exported, grown by the caller) and
 * `conv3x3(in, channels, h, w, weights, coStride, cout, out)`, all byte addresses: `in` is
 * `channels` padded planes, `weights` the (co = 0, ci = 0) kernel with `coStride` bytes
 * between output channels and 36 between input channels, `out` `cout` padded planes whose
 * interiors are added to.
 * @returns the WebAssembly text
 */
export function conv3x3Wat(): string {
  const weightLocals = TAPS.map((_, k) => `(local $w${k} v128)`).join(" ");
  const loadWeights = TAPS.map((_, k) =>
    `(local.set $w${k} (v128.load32_splat offset=${4 * k} (local.get $k)))`
  ).join("\n");
  return `(module
  (memory (export "memory") 1)
  (func (export "conv3x3")
    (param $in i32) (param $channels i32) (param $h i32) (param $w i32)
    (param $weights i32) (param $coStride i32) (param $cout i32) (param $out i32)
    (local $stride i32) (local $plane i32) (local $co i32) (local $ci i32) (local $y i32)
    (local $k i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $o i32)
    (local $end i32) (local $acc v128) ${weightLocals}
    (local.set $stride (i32.shl (i32.add (local.get $w) (i32.const 2)) (i32.const 2)))
    (local.set $plane (i32.mul (i32.add (local.get $h) (i32.const 2)) (local.get $stride)))
    (local.set $co (i32.const 0))
    (block $coDone (loop $coLoop
      (br_if $coDone (i32.ge_u (local.get $co) (local.get $cout)))
      (local.set $ci (i32.const 0))
      (block $ciDone (loop $ciLoop
        (br_if $ciDone (i32.ge_u (local.get $ci) (local.get $channels)))
        (local.set $k (i32.add (local.get $weights) (i32.add
          (i32.mul (local.get $co) (local.get $coStride)) (i32.mul (local.get $ci) (i32.const 36)))))
        ${loadWeights}
        (local.set $y (i32.const 0))
        (block $yDone (loop $yLoop
          (br_if $yDone (i32.ge_u (local.get $y) (local.get $h)))
          (local.set $r0 (i32.add (local.get $in) (i32.add
            (i32.mul (local.get $ci) (local.get $plane)) (i32.mul (local.get $y) (local.get $stride)))))
          (local.set $r1 (i32.add (local.get $r0) (local.get $stride)))
          (local.set $r2 (i32.add (local.get $r1) (local.get $stride)))
          (local.set $o (i32.add (local.get $out) (i32.add (i32.add
            (i32.mul (local.get $co) (local.get $plane))
            (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $stride))) (i32.const 4))))
          (local.set $end (i32.add (local.get $o) (i32.shl (local.get $w) (i32.const 2))))
          (block $xDone (loop $xLoop
            (br_if $xDone (i32.ge_u (local.get $o) (local.get $end)))
            (local.set $acc (v128.load (local.get $o)))
            ${taps()}
            (v128.store (local.get $o) (local.get $acc))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $r0 (i32.add (local.get $r0) (i32.const 16)))
            (local.set $r1 (i32.add (local.get $r1) (i32.const 16)))
            (local.set $r2 (i32.add (local.get $r2) (i32.const 16)))
            (br $xLoop)))
          (local.set $y (i32.add (local.get $y) (i32.const 1)))
          (br $yLoop)))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br $ciLoop)))
      (local.set $co (i32.add (local.get $co) (i32.const 1)))
      (br $coLoop)))
  )
  ${weightGradFunction()}
)`;
}

/** `s_k += d · input[row k][x + column k]` for all nine taps. */
function gradientTaps(): string {
  return TAPS.map(([row, column], k) =>
    `(local.set $s${k} (f32x4.add (local.get $s${k}) (f32x4.mul (local.get $d)
      (v128.load offset=${4 * column} (local.get $r${row})))))`
  ).join("\n");
}

/**
 * `conv3x3WeightGrad(in, channels, h, w, gradOut, cout, gradWeights, coStride)`: adds
 * `Σ_pixels gradOut[co] · input[ci] shifted by tap k` to the float32 at
 * `gradWeights + co·coStride + ci·36 + 4k` (byte addresses, padded planes as above).
 */
function weightGradFunction(): string {
  const sums = TAPS.map((_, k) => `(local $s${k} v128)`).join(" ");
  const reset = TAPS.map((_, k) => `(local.set $s${k} (v128.const i32x4 0 0 0 0))`).join("\n");
  const lane = (k: number, i: number) => `(f32x4.extract_lane ${i} (local.get $s${k}))`;
  const store = TAPS.map((_, k) =>
    `(f32.store offset=${4 * k} (local.get $k) (f32.add (f32.load offset=${4 * k} (local.get $k))
      (f32.add (f32.add ${lane(k, 0)} ${lane(k, 1)}) (f32.add ${lane(k, 2)} ${lane(k, 3)}))))`
  ).join("\n");
  return `(func (export "conv3x3WeightGrad")
    (param $in i32) (param $channels i32) (param $h i32) (param $w i32)
    (param $gradOut i32) (param $cout i32) (param $weights i32) (param $coStride i32)
    (local $stride i32) (local $plane i32) (local $co i32) (local $ci i32) (local $y i32)
    (local $k i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $o i32)
    (local $end i32) (local $d v128) ${sums}
    (local.set $stride (i32.shl (i32.add (local.get $w) (i32.const 2)) (i32.const 2)))
    (local.set $plane (i32.mul (i32.add (local.get $h) (i32.const 2)) (local.get $stride)))
    (local.set $co (i32.const 0))
    (block $coDone (loop $coLoop
      (br_if $coDone (i32.ge_u (local.get $co) (local.get $cout)))
      (local.set $ci (i32.const 0))
      (block $ciDone (loop $ciLoop
        (br_if $ciDone (i32.ge_u (local.get $ci) (local.get $channels)))
        ${reset}
        (local.set $y (i32.const 0))
        (block $yDone (loop $yLoop
          (br_if $yDone (i32.ge_u (local.get $y) (local.get $h)))
          (local.set $r0 (i32.add (local.get $in) (i32.add
            (i32.mul (local.get $ci) (local.get $plane)) (i32.mul (local.get $y) (local.get $stride)))))
          (local.set $r1 (i32.add (local.get $r0) (local.get $stride)))
          (local.set $r2 (i32.add (local.get $r1) (local.get $stride)))
          (local.set $o (i32.add (local.get $gradOut) (i32.add (i32.add
            (i32.mul (local.get $co) (local.get $plane))
            (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $stride))) (i32.const 4))))
          (local.set $end (i32.add (local.get $o) (i32.shl (local.get $w) (i32.const 2))))
          (block $xDone (loop $xLoop
            (br_if $xDone (i32.ge_u (local.get $o) (local.get $end)))
            (local.set $d (v128.load (local.get $o)))
            ${gradientTaps()}
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $r0 (i32.add (local.get $r0) (i32.const 16)))
            (local.set $r1 (i32.add (local.get $r1) (i32.const 16)))
            (local.set $r2 (i32.add (local.get $r2) (i32.const 16)))
            (br $xLoop)))
          (local.set $y (i32.add (local.get $y) (i32.const 1)))
          (br $yLoop)))
        (local.set $k (i32.add (local.get $weights) (i32.add
          (i32.mul (local.get $co) (local.get $coStride)) (i32.mul (local.get $ci) (i32.const 36)))))
        ${store}
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br $ciLoop)))
      (local.set $co (i32.add (local.get $co) (i32.const 1)))
      (br $coLoop)))
  )`;
}
