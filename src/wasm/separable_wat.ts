/**
 * WebAssembly text of the separable-filter passes (f64x2 SIMD), generated so that the 8-voxel
 * step can be unrolled by template. `deno task build-wasm` assembles it into
 * `separable_wasm.ts`; `src/filters/separable.ts` runs it.
 *
 * Every output voxel is c·w0 + Σ_{j=r..1} (m_j + p_j)·w_j accumulated in float64 in exactly
 * that order (scipy's), so the results carry the same bits as the TypeScript reference
 * (`src/filters/separable_js.ts`): wasm f64 add/mul are IEEE and never contracted to FMA.
 * Intermediate passes store float64 values already rounded to float32 (demote, promote), so the
 * next pass reads them without conversion. Rows are computed 8 voxels at a time (four f64x2
 * accumulators) and rounded up to a multiple of 8: the overrun past a row's end is written into
 * the start of the next row, which is computed afterwards, or into padding after the buffer, so
 * callers pad every buffer by at least 64 bytes past its end.
 * Weights are stored centre first: `weights + 8j` holds w_j = kernel[r - j], j = 0..r.
 * @module
 */

/** The four accumulators of one 8-voxel step. */
const LANES = [0, 1, 2, 3];

/** `a_k = load(centre + 16k) · w` for the four accumulators. */
function startAccumulators(centre: string): string {
  return LANES.map((k) =>
    `(local.set $a${k} (f64x2.mul (v128.load offset=${
      16 * k
    } (local.get ${centre})) (local.get $w)))`
  ).join("\n");
}

/** `a_k += (load(m + 16k) + load(p + 16k)) · w` for the four accumulators. */
function addTap(m: string, p: string): string {
  return LANES.map((k) =>
    `(local.set $a${k} (f64x2.add (local.get $a${k}) (f64x2.mul (f64x2.add
      (v128.load offset=${16 * k} (local.get ${m})) (v128.load offset=${16 * k} (local.get ${p})))
      (local.get $w))))`
  ).join("\n");
}

/** `a` rounded to float32 and widened back (exact). */
function roundToF32(a: string): string {
  return `(f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get ${a})))`;
}

/** Locals shared by the pass functions. */
const ACCUMULATOR_LOCALS = "(local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) " +
  "(local $w v128)";

/** Row at `base` plus the byte offset in table entry `entry` (an i32 expression). */
function tableRow(entry: string): string {
  return `(v128.load (i32.add (local.get $base) (i32.load ${entry})))`;
}

/** Entry e of the group's table, e = i + 2r·plusSide (+ r for the centre). */
function groupEntry(i: number, radii: number): string {
  const offset = radii === 0 ? "" : ` (i32.mul (local.get $r) (i32.const ${4 * radii}))`;
  return radii === 0
    ? `offset=${4 * i} (local.get $tg)`
    : `offset=${4 * i} (i32.add (local.get $tg)${offset})`;
}

/** Accumulators from the centres, windows from the outermost taps (j = r). */
function windowStart(): string {
  return LANES.map((i) =>
    `(local.set $a${i} (f64x2.mul ${tableRow(groupEntry(i, 1))} (local.get $w)))
    (local.set $m${i} ${tableRow(groupEntry(i, 0))})
    (local.set $p${i} ${tableRow(groupEntry(i, 2))})`
  ).join("\n");
}

/** One tap for the 4 outputs, then the windows slide to the next tap. */
function windowTap(): string {
  const add = LANES.map((i) =>
    `(local.set $a${i} (f64x2.add (local.get $a${i})
      (f64x2.mul (f64x2.add (local.get $m${i}) (local.get $p${i})) (local.get $w))))`
  ).join("\n");
  return `${add}
    (local.set $m0 (local.get $m1)) (local.set $m1 (local.get $m2)) (local.set $m2 (local.get $m3))
    (local.set $m3 ${tableRow("(local.get $tm)")})
    (local.set $p3 (local.get $p2)) (local.set $p2 (local.get $p1)) (local.set $p1 (local.get $p0))
    (local.set $p0 ${tableRow("(local.get $tp)")})`;
}

/** Store the 4 outputs, rounded to float32. */
function windowStore(): string {
  return LANES.map((i) =>
    `(v128.store (i32.add (i32.add (local.get $dstRow) (local.get $x))
      (i32.mul (local.get $dstOutStride) (i32.const ${i}))) ${roundToF32(`$a${i}`)})`
  ).join("\n");
}

/** The whole module's text. */
export function separableWat(): string {
  const storeF32 = [0, 1].map((half) =>
    `(v128.store offset=${
      16 * half
    } (i32.add (local.get $dst) (i32.shr_u (local.get $x) (i32.const 1)))
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (local.get $a${2 * half}))
        (f32x4.demote_f64x2_zero (local.get $a${2 * half + 1}))))`
  ).join("\n");
  return `(module
  (memory (export "memory") 1)
  ;; dst[i] = f64(src[i]) for i in [0, count rounded up to 4).
  (func (export "promote") (param $src i32) (param $dst i32) (param $count i32)
    (local $i i32) (local $end i32) (local $v v128)
    (local.set $end (i32.shl (i32.and (i32.add (local.get $count) (i32.const 3)) (i32.const -4))
      (i32.const 2)))
    (block $done (loop $step
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
        (f64x2.promote_low_f32x4 (local.get $v)))
      (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          (local.get $v) (local.get $v))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $step))))

  ;; Row pass sharing loads between 4 outputs (planes for z, rows for y), 2 voxels per step.
  ;; Output k = 4g + i (i < 4) of group g, inner row t: n float64 voxels at
  ;; dst + k·dstOutStride + t·dstInnerStride. Its taps are rows of the extended sequence E:
  ;; E[k + r] is the centre, E[k + r ∓ j] the minus and plus rows of tap j, each at
  ;; src + t·srcInnerStep + table[e] (table: i32 byte offsets, 4 apart; it must hold
  ;; 4·groups + 2r valid entries). Going from tap j to j - 1, each output's minus row is its
  ;; upper neighbour's and its plus row its lower neighbour's, so a tap loads two rows, not 8.
  (func (export "window")
    (param $src i32) (param $table i32) (param $weights i32) (param $r i32) (param $groups i32)
    (param $inner i32) (param $srcInnerStep i32) (param $n i32) (param $dst i32)
    (param $dstOutStride i32) (param $dstInnerStride i32)
    (local $g i32) (local $t i32) (local $x i32) (local $end i32) (local $tg i32)
    (local $rowBase i32) (local $dstRow i32) (local $base i32) (local $tm i32) (local $tp i32)
    (local $wp i32) (local $tapEnd i32)
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
          (local.set $base (i32.add (local.get $rowBase) (local.get $x)))
          (local.set $w (v128.load64_splat (local.get $weights)))
          ${windowStart()}
          (local.set $tm (i32.add (local.get $tg) (i32.const 16)))
          (local.set $tp (i32.sub (i32.add (local.get $tg) (local.get $tapEnd)) (i32.const 4)))
          (local.set $wp (i32.add (local.get $weights) (local.get $tapEnd)))
          (block $tapsDone (loop $tapLoop
            (br_if $tapsDone (i32.le_u (local.get $wp) (local.get $weights)))
            (local.set $w (v128.load64_splat (local.get $wp)))
            ${windowTap()}
            (local.set $tm (i32.add (local.get $tm) (i32.const 4)))
            (local.set $tp (i32.sub (local.get $tp) (i32.const 4)))
            (local.set $wp (i32.sub (local.get $wp) (i32.const 8)))
            (br $tapLoop)))
          ${windowStore()}
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $xLoop)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $innerLoop)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $groupLoop))))

  ;; Line pass (along x): \`rows\` rows at src (rowStride bytes apart) into \`rows\` rows of n
  ;; float32 voxels, dense at dst. Each row is first gathered into the float64 line buffer:
  ;; line[k] = row[gather[k]] for k < span (gather holds byte offsets), unless \`direct\` is set,
  ;; when the row itself is read from its byte offset gather[0].
  ;; Then out[i] = line[i + r]·w0 + Σ_{j=r..1} (line[i + r - j] + line[i + r + j])·w_j.
  (func (export "lines")
    (param $src i32) (param $rowStride i32) (param $gather i32) (param $span i32)
    (param $direct i32) (param $line i32) (param $weights i32) (param $r i32) (param $rows i32)
    (param $n i32) (param $dst i32)
    (local $row i32) (local $x i32) (local $end i32) (local $k i32) (local $spanEnd i32)
    (local $centre i32) (local $lo i32) (local $hi i32) (local $wp i32) (local $tapEnd i32)
    (local $buffer i32)
    ${ACCUMULATOR_LOCALS}
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8))
      (i32.const 3)))
    (local.set $tapEnd (i32.shl (local.get $r) (i32.const 3)))
    (local.set $spanEnd (i32.shl (local.get $span) (i32.const 2)))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (if (local.get $direct)
        (then (local.set $buffer (i32.add (local.get $src) (i32.load (local.get $gather)))))
        (else
          (local.set $buffer (local.get $line))
          (local.set $k (i32.const 0))
          (block $gatherDone (loop $gatherLoop
            (br_if $gatherDone (i32.ge_u (local.get $k) (local.get $spanEnd)))
            (f64.store (i32.add (local.get $line) (i32.shl (local.get $k) (i32.const 1)))
              (f64.load (i32.add (local.get $src)
                (i32.load (i32.add (local.get $gather) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $gatherLoop)))))
      (local.set $x (i32.const 0))
      (block $xDone (loop $xLoop
        (br_if $xDone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $centre (i32.add (i32.add (local.get $buffer) (local.get $x))
          (local.get $tapEnd)))
        (local.set $w (v128.load64_splat (local.get $weights)))
        ${startAccumulators("$centre")}
        (local.set $lo (i32.sub (local.get $centre) (local.get $tapEnd)))
        (local.set $hi (i32.add (local.get $centre) (local.get $tapEnd)))
        (local.set $wp (i32.add (local.get $weights) (local.get $tapEnd)))
        (block $tapsDone (loop $tapLoop
          (br_if $tapsDone (i32.le_u (local.get $wp) (local.get $weights)))
          (local.set $w (v128.load64_splat (local.get $wp)))
          ${addTap("$lo", "$hi")}
          (local.set $lo (i32.add (local.get $lo) (i32.const 8)))
          (local.set $hi (i32.sub (local.get $hi) (i32.const 8)))
          (local.set $wp (i32.sub (local.get $wp) (i32.const 8)))
          (br $tapLoop)))
        ${storeF32}
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (br $xLoop)))
      (local.set $src (i32.add (local.get $src) (local.get $rowStride)))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))
)
`;
}
