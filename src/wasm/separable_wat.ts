/**
 * WebAssembly text of the separable-filter passes (f64x2 SIMD), generated so that the inner
 * step can be unrolled by template. `deno task build-wasm` assembles it into
 * `separable_wasm.ts`; `src/filters/separable.ts` runs it.
 *
 * Every output voxel is c·w0 + Σ_{j=r..1} (m_j + p_j)·w_j accumulated in float64 in exactly
 * that order (scipy's), so the results carry the same bits as the TypeScript reference
 * (`src/filters/separable_js.ts`): wasm f64 add/mul are IEEE and never contracted to FMA.
 * Intermediate passes store float64 values already rounded to float32 (demote, promote), so the
 * next pass reads them without conversion. Every pass is a "window" pass: 4 outputs (rows or
 * planes) at once, 2 voxels per step along a contiguous axis, so the x pass runs on a
 * transposed plane (the y pass writes it x-major, the x pass transposes back as it writes
 * float32). Steps round the voxel count up to 2: callers leave room for one voxel (or one
 * transposed row) past every output, and pad buffers so that reads past a row stay inside.
 * Weights are stored centre first: `weights + 8j` holds w_j = kernel[r - j], j = 0..r.
 * @module
 */

/** The four accumulators of one 8-voxel step. */
const LANES = [0, 1, 2, 3];

/** `a` rounded to float32 and widened back (exact). */
function roundToF32(a: string): string {
  return `(f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get ${a})))`;
}

/** Row at `base` plus the byte offset in table entry `entry` (an i32 expression). */
function tableRow(entry: string, source: Source): string {
  const address = `(i32.add (local.get $base) (i32.load ${entry}))`;
  return source === "float64"
    ? `(v128.load ${address})`
    : `(f64x2.promote_low_f32x4 (v128.load64_zero ${address}))`;
}

/** Element type of a window pass's source rows (float32 ones are widened as they are read). */
export type Source = "float64" | "float32";

/** Entry e of the group's table, e = i + 2r·plusSide (+ r for the centre). */
function groupEntry(i: number, radii: number): string {
  const offset = radii === 0 ? "" : ` (i32.mul (local.get $r) (i32.const ${4 * radii}))`;
  return radii === 0
    ? `offset=${4 * i} (local.get $tg)`
    : `offset=${4 * i} (i32.add (local.get $tg)${offset})`;
}

/** Accumulators from the centres, windows from the outermost taps (j = r). */
function windowStart(source: Source): string {
  return LANES.map((i) =>
    `(local.set $a${i} (f64x2.mul ${tableRow(groupEntry(i, 1), source)} (local.get $w)))
    (local.set $m${i} ${tableRow(groupEntry(i, 0), source)})
    (local.set $p${i} ${tableRow(groupEntry(i, 2), source)})`
  ).join("\n");
}

/**
 * Tap `phase` (0-3) of an unrolled block of 4: tap j - phase for the 4 outputs, then the
 * windows slide. The windows rotate through the registers instead of moving: minus row E[q]
 * lives in $m(q mod 4), plus row E[q] in $p((q - 2r) mod 4); at the block's start r - j is a
 * multiple of 4, so output i reads $m((i + phase) mod 4) and $p((i - phase) mod 4), and the
 * rows entering the windows (E[4 + r - j + phase], E[r + j - phase - 1]) replace $m(phase) and
 * $p(3 - phase). $wp, $tm and $tp point at w_j, E[4 + r - j] and E[r + j - 1].
 */
function windowTap(source: Source, phase: number): string {
  const add = LANES.map((i) =>
    `(local.set $a${i} (f64x2.add (local.get $a${i})
      (f64x2.mul (f64x2.add (local.get $m${(i + phase) % 4}) (local.get $p${(i - phase + 4) % 4}))
        (local.get $w))))`
  ).join("\n");
  return `
    (local.set $w (v128.load64_splat (i32.sub (local.get $wp) (i32.const ${8 * phase}))))
    ${add}
    (local.set $m${phase} ${tableRow(`offset=${4 * phase} (local.get $tm)`, source)})
    (local.set $p${3 - phase} ${
    tableRow(`(i32.sub (local.get $tp) (i32.const ${4 * phase}))`, source)
  })`;
}

/** The taps of a window pass: blocks of 4, then the last r mod 4 one by one. */
function windowTaps(source: Source): string {
  const blocks = [0, 1, 2, 3].map((phase) => windowTap(source, phase)).join("\n");
  const rest = [0, 1, 2].map((phase) =>
    `(if (i32.gt_u (i32.sub (local.get $wp) (local.get $weights)) (i32.const ${8 * phase}))
      (then ${windowTap(source, phase)}))`
  ).join("\n");
  return `
    (block $blocksDone (loop $blockLoop
      (br_if $blocksDone (i32.lt_u (i32.sub (local.get $wp) (local.get $weights)) (i32.const 32)))
      ${blocks}
      (local.set $tm (i32.add (local.get $tm) (i32.const 16)))
      (local.set $tp (i32.sub (local.get $tp) (i32.const 16)))
      (local.set $wp (i32.sub (local.get $wp) (i32.const 32)))
      (br $blockLoop)))
    ${rest}`;
}

/** Byte shuffle of two v128 values. */
function shuffle(lanes: number[], a: string, b: string): string {
  return `(i8x16.shuffle ${lanes.join(" ")} ${a} ${b})`;
}

/** Bytes 0-7 (or 8-15) of both operands: the low (high) f64 lanes side by side. */
const LOW_F64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_F64 = LOW_F64.map((lane) => lane + 8);
/** f32 lanes 0 of both, then lanes 1 of both. */
const ZIP_F32 = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];

/** How a window pass stores its 4 outputs × 2 voxels. */
export type WindowStore = "rows" | "transposed" | "float32Transposed";

/**
 * Store statements. "rows": output i's 2 voxels (rounded) at dstRow + i·dstOutStride + x.
 * "transposed": voxel e of output i (rounded) at vecRow + e·dstVecStride + 8i.
 * "float32Transposed": the same in float32, at vecRow + e·dstVecStride + 4i.
 */
function windowStore(store: WindowStore): string {
  if (store === "rows") {
    return LANES.map((i) =>
      `(v128.store (i32.add (i32.add (local.get $dstRow) (local.get $x))
        (i32.mul (local.get $dstOutStride) (i32.const ${i}))) ${roundToF32(`$a${i}`)})`
    ).join("\n");
  }
  const second = "(i32.add (local.get $vecRow) (local.get $dstVecStride))";
  if (store === "transposed") {
    const rounded = LANES.map((i) => roundToF32(`$a${i}`));
    return `
      (v128.store (local.get $vecRow) ${shuffle(LOW_F64, rounded[0]!, rounded[1]!)})
      (v128.store offset=16 (local.get $vecRow) ${shuffle(LOW_F64, rounded[2]!, rounded[3]!)})
      (v128.store ${second} ${shuffle(HIGH_F64, rounded[0]!, rounded[1]!)})
      (v128.store offset=16 ${second} ${shuffle(HIGH_F64, rounded[2]!, rounded[3]!)})`;
  }
  const demoted = LANES.map((i) => `(f32x4.demote_f64x2_zero (local.get $a${i}))`);
  return `
    (local.set $a0 ${shuffle(ZIP_F32, demoted[0]!, demoted[1]!)})
    (local.set $a2 ${shuffle(ZIP_F32, demoted[2]!, demoted[3]!)})
    (v128.store (local.get $vecRow) ${shuffle(LOW_F64, "(local.get $a0)", "(local.get $a2)")})
    (v128.store ${second} ${shuffle(HIGH_F64, "(local.get $a0)", "(local.get $a2)")})`;
}

/**
 * A window pass: 4 outputs at once sharing loads, 2 voxels per step. Output k = 4g + i
 * (i < 4) of group g, inner row t, reads rows of the extended sequence E: E[k + r] is the
 * centre, E[k + r ∓ j] the minus and plus rows of tap j, each at
 * src + t·srcInnerStep + table[e] (table: i32 byte offsets, 4 apart; it must hold
 * 4·groups + 2r valid entries). Going from tap j to j - 1, each output's minus row is its
 * upper neighbour's and its plus row its lower neighbour's, so a tap loads two rows, not 8.
 * The outputs of group g, inner row t start at dst + 4g·dstOutStride + t·dstInnerStride.
 */
function windowFunction(name: string, source: Source, store: WindowStore): string {
  const step = source === "float64" ? "(local.get $x)" : "(i32.shr_u (local.get $x) (i32.const 1))";
  return `
  (func (export "${name}")
    (param $src i32) (param $table i32) (param $weights i32) (param $r i32) (param $groups i32)
    (param $inner i32) (param $srcInnerStep i32) (param $n i32) (param $dst i32)
    (param $dstOutStride i32) (param $dstInnerStride i32) (param $dstVecStride i32)
    (local $g i32) (local $t i32) (local $x i32) (local $end i32) (local $tg i32)
    (local $rowBase i32) (local $dstRow i32) (local $vecRow i32) (local $base i32)
    (local $tm i32) (local $tp i32) (local $wp i32) (local $tapEnd i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $w v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 1)) (i32.const -2))
      (i32.const 3)))
    (local.set $tapEnd (i32.shl (local.get $r) (i32.const 3)))
    (block $groupsDone (loop $groupLoop
      (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $groups)))
      (local.set $tg (i32.add (local.get $table) (i32.shl (local.get $g) (i32.const 4))))
      (local.set $t (i32.const 0))
      (block $innerDone (loop $innerLoop
        (br_if $innerDone (i32.ge_u (local.get $t) (local.get $inner)))
        (local.set $rowBase (i32.add (local.get $src)
          (i32.mul (local.get $t) (local.get $srcInnerStep))))
        (local.set $dstRow (i32.add (local.get $dst) (i32.add
          (i32.mul (i32.shl (local.get $g) (i32.const 2)) (local.get $dstOutStride))
          (i32.mul (local.get $t) (local.get $dstInnerStride)))))
        (local.set $x (i32.const 0))
        (block $xDone (loop $xLoop
          (br_if $xDone (i32.ge_u (local.get $x) (local.get $end)))
          (local.set $base (i32.add (local.get $rowBase) ${step}))
          (local.set $w (v128.load64_splat (local.get $weights)))
          ${windowStart(source)}
          (local.set $tm (i32.add (local.get $tg) (i32.const 16)))
          (local.set $tp (i32.sub (i32.add (local.get $tg) (local.get $tapEnd)) (i32.const 4)))
          (local.set $wp (i32.add (local.get $weights) (local.get $tapEnd)))
          ${windowTaps(source)}
          (local.set $vecRow (i32.add (local.get $dstRow)
            (i32.mul (i32.shr_u (local.get $x) (i32.const 3)) (local.get $dstVecStride))))
          ${windowStore(store)}
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $xLoop)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $innerLoop)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $groupLoop))))
`;
}

/** The whole module's text. */
export function separableWat(): string {
  return `(module
  (memory (export "memory") 1)
${windowFunction("windowRows", "float32", "rows")}
${windowFunction("windowTransposed", "float64", "transposed")}
${windowFunction("windowFloat32Transposed", "float64", "float32Transposed")}
)
`;
}
