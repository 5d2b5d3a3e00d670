/**
 * WebAssembly text of the dense CPD E-step (f64x2 SIMD), generated so that the exponential can
 * be inlined into the hot loop twice with its own locals (V8 does not inline wasm calls here).
 * `deno task build-wasm` assembles it into `estep_wasm.ts`; `src/cpd/estep_dense.ts` runs it.
 *
 * Memory layout (byte offsets, all f64, 16-byte aligned; the moving count is padded to a
 * multiple of 4 with far-away points whose kernel values are exactly 0):
 * `mx, my, mz` moving points per axis (M); `w` one row of kernel values (M); `a1` Σ_n P_mn and
 * `ax, ay, az` Σ_n P_mn·x_n per axis (M, accumulated); `fx, fy, fz` fixed points per axis
 * (rows); `den` Σ_m k_mn per fixed point (rows, written).
 * @module
 */

/** `(v128.const f64x2 v v)`: a constant in both lanes. */
export function splat(value: string): string {
  return `(v128.const f64x2 ${value} ${value})`;
}

/**
 * Minimax polynomial for e^r on [-ln2/2, ln2/2], degree 10 (coefficients of r^0..r^10, fitted
 * with mpmath's `chebyfit` at 40 digits and rounded to double): relative error ≤ 3.3e-16
 * including the rounding of the coefficients.
 */
const EXP_POLY = [
  "1.0",
  "1.0000000000000067",
  "0.5000000000000006",
  "0.16666666666554406",
  "0.04166666666657314",
  "0.008333333385667782",
  "0.0013888888932488599",
  "0.00019841170270440067",
  "2.4801504346997686e-05",
  "2.764018079620985e-06",
  "2.7626357241447223e-07",
];

/** 1.5·2^52: adding it rounds a double below 2^51 in magnitude to an integer in its low bits. */
const ROUNDING_MAGIC = "0x1.8p52";

/** Names of the locals one inlined exponential needs, with a suffix. */
export function expLocals(suffix: string): string[] {
  return ["k", "r", "r2", "r4", "p", "t"].map((name) => `$${name}${suffix}`);
}

/**
 * Statements setting `$out` = exp(`$t<suffix>`) for two lanes with t ≤ 0: t = k·ln2 + r
 * (k rounded to nearest by the 1.5·2^52 trick, Cody-Waite with fdlibm's split of ln 2,
 * |r| ≤ ln2/2), e^r by a degree-10 minimax polynomial evaluated with Estrin's scheme, 2^k by
 * moving the low bits of the rounded sum into the exponent field. Relative error ≤ 4e-16.
 * Lanes with t ≤ -708.3, where 2^k would leave the normal range, come out as exactly 0 (the
 * true value is below 2.3e-308).
 */
export function inlineExp(suffix: string, out: string): string {
  const [k, r, r2, r4, p, t] = expLocals(suffix);
  const c = (i: number) => splat(EXP_POLY[i]!);
  const q = (i: number) => `(f64x2.add ${c(2 * i)} (f64x2.mul ${c(2 * i + 1)} (local.get ${r})))`;
  // $p first holds t·log2e + 1.5·2^52: its low 12 bits are k (two's complement), its value
  // minus the magic number is k as a double.
  return `
    (local.set ${p} (f64x2.add (f64x2.mul (local.get ${t}) ${splat("1.4426950408889634")})
      ${splat(ROUNDING_MAGIC)}))
    (local.set ${k} (f64x2.sub (local.get ${p}) ${splat(ROUNDING_MAGIC)}))
    (local.set ${r} (f64x2.sub
      (f64x2.sub (local.get ${t}) (f64x2.mul (local.get ${k}) ${splat("0x1.62e42feep-1")}))
      (f64x2.mul (local.get ${k}) ${splat("0x1.a39ef35793c76p-33")})))
    (local.set ${k} (i64x2.shl (i64x2.add (local.get ${p}) (v128.const i64x2 1023 1023))
      (i32.const 52)))
    (local.set ${r2} (f64x2.mul (local.get ${r}) (local.get ${r})))
    (local.set ${r4} (f64x2.mul (local.get ${r2}) (local.get ${r2})))
    (local.set ${p} (f64x2.add
      (f64x2.add ${q(0)} (f64x2.mul ${q(1)} (local.get ${r2})))
      (f64x2.mul (local.get ${r4}) (f64x2.add ${q(2)} (f64x2.mul ${q(3)} (local.get ${r2}))))))
    (local.set ${p} (f64x2.add (local.get ${p})
      (f64x2.mul (f64x2.mul (local.get ${r4}) (local.get ${r4}))
        (f64x2.add ${q(4)} (f64x2.mul ${c(10)} (local.get ${r2}))))))
    (local.set ${out} (v128.and (f64x2.mul (local.get ${p}) (local.get ${k}))
      (f64x2.gt (local.get ${t}) ${splat("-708.3")})))`;
}

/** Statements for one pair of moving points at byte offset `$j + offset`: kernel into `out`. */
function kernelPair(offset: number, suffix: string, out: string): string {
  const at = (base: string) =>
    `(v128.load offset=${offset} (i32.add (local.get ${base}) (local.get $j)))`;
  return `
    (local.set $dx (f64x2.sub (local.get $x) ${at("$mx")}))
    (local.set $dy (f64x2.sub (local.get $y) ${at("$my")}))
    (local.set $dz (f64x2.sub (local.get $z) ${at("$mz")}))
    (local.set $t${suffix} (f64x2.mul (local.get $s) (f64x2.add (f64x2.add
      (f64x2.mul (local.get $dx) (local.get $dx)) (f64x2.mul (local.get $dy) (local.get $dy)))
      (f64x2.mul (local.get $dz) (local.get $dz)))))${inlineExp(suffix, out)}
    (v128.store offset=${offset} (i32.add (local.get $w) (local.get $j)) (local.get ${out}))`;
}

/** `acc[j..j+1] += e · factor` for the accumulator at byte base `$acc`. */
function accumulate(acc: string, factor: string, offset: number): string {
  const address = `(i32.add (local.get ${acc}) (local.get $j))`;
  return `
    (v128.store offset=${offset} ${address} (f64x2.add (v128.load offset=${offset} ${address})
      (f64x2.mul (local.get $e${offset}) (local.get ${factor}))))`;
}

/** The whole module's text. */
export function estepWat(): string {
  const locals = [...expLocals("0"), ...expLocals("16")].map((name) => `(local ${name} v128)`);
  const accumulateBlock = [0, 16].map((offset) =>
    `(local.set $e${offset} (v128.load offset=${offset} (i32.add (local.get $w) (local.get $j))))` +
    accumulate("$a1", "$vi", offset) + accumulate("$ax", "$wx", offset) +
    accumulate("$ay", "$wy", offset) + accumulate("$az", "$wz", offset)
  ).join("\n");
  return `(module
  (memory (export "memory") 1)
  ;; Kernel rows of fixed points [0, rows) against quads·4 moving points (see the layout).
  ;; scale = -1/(2σ²); c = the outlier term of the posterior denominator. Rows whose kernel sum
  ;; is <= 1e-300 leave the accumulators untouched.
  (func (export "denseRows")
    (param $mx i32) (param $my i32) (param $mz i32) (param $w i32)
    (param $a1 i32) (param $ax i32) (param $ay i32) (param $az i32) (param $quads i32)
    (param $fx i32) (param $fy i32) (param $fz i32) (param $den i32) (param $rows i32)
    (param $scale f64) (param $c f64)
    (local $i i32) (local $j i32) (local $o i32) (local $end i32)
    (local $x v128) (local $y v128) (local $z v128) (local $s v128)
    (local $dx v128) (local $dy v128) (local $dz v128) (local $e0 v128) (local $e16 v128)
    (local $sum v128) (local $d f64) (local $vi v128) (local $wx v128) (local $wy v128)
    (local $wz v128) ${locals.join(" ")}
    (local.set $s (f64x2.splat (local.get $scale)))
    (local.set $end (i32.shl (local.get $quads) (i32.const 5)))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $o (i32.shl (local.get $i) (i32.const 3)))
      (local.set $x (v128.load64_splat (i32.add (local.get $fx) (local.get $o))))
      (local.set $y (v128.load64_splat (i32.add (local.get $fy) (local.get $o))))
      (local.set $z (v128.load64_splat (i32.add (local.get $fz) (local.get $o))))
      (local.set $sum ${splat("0")})
      (local.set $j (i32.const 0))
      (block $kernelDone (loop $kernel
        (br_if $kernelDone (i32.ge_u (local.get $j) (local.get $end)))
        ${kernelPair(0, "0", "$e0")}
        ${kernelPair(16, "16", "$e16")}
        (local.set $sum (f64x2.add (local.get $sum) (f64x2.add (local.get $e0) (local.get $e16))))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $kernel)))
      (local.set $d (f64.add (f64x2.extract_lane 0 (local.get $sum))
        (f64x2.extract_lane 1 (local.get $sum))))
      (f64.store (i32.add (local.get $den) (local.get $o)) (local.get $d))
      (if (f64.gt (local.get $d) (f64.const 1e-300)) (then
        (local.set $vi (f64x2.splat (f64.div (f64.const 1) (f64.add (local.get $d) (local.get $c)))))
        (local.set $wx (f64x2.mul (local.get $x) (local.get $vi)))
        (local.set $wy (f64x2.mul (local.get $y) (local.get $vi)))
        (local.set $wz (f64x2.mul (local.get $z) (local.get $vi)))
        (local.set $j (i32.const 0))
        (block $accDone (loop $acc
          (br_if $accDone (i32.ge_u (local.get $j) (local.get $end)))
          ${accumulateBlock}
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br $acc)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))
)
`;
}
