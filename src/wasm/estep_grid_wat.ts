/**
 * WebAssembly text of the truncated CPD E-step (f64x2 SIMD): for each fixed point, the kernel
 * over the runs of grid-sorted moving points that meet its ball of radius `r`, then the
 * posterior-weighted sums into accumulators kept in the grid's sorted order.
 * `deno task build-wasm` assembles it into `estep_grid_wasm.ts`; `src/cpd/estep_grid.ts` runs it.
 *
 * Memory layout (byte offsets; f64 unless noted): `sx, sy, sz` sorted moving points (M, plus
 * padding); `w` kernel values of one row, each run starting at an even slot (M + 2·runs);
 * `a1, ax, ay, az` accumulators in sorted order (M, plus padding); `fx, fy, fz` the batch's fixed
 * points; `den` Σ k per fixed point (written); `rowRuns` (i32, rows + 1) where each row's runs
 * start in `runs` (i32 pairs `[begin, end)` of sorted indices).
 * @module
 */
import { expLocals, inlineExp, splat } from "./estep_wat.ts";

/** The whole module's text. */
export function estepGridWat(): string {
  const address = (base: string) => `(i32.add (local.get ${base}) (local.get $sb))`;
  const wAddress = `(i32.add (local.get $w) (local.get $qb))`;
  const accumulate = (acc: string, factor: string) => `
            (v128.store align=8 ${address(acc)} (f64x2.add (v128.load align=8 ${address(acc)})
              (f64x2.mul (local.get $e) (local.get ${factor}))))`;
  return `(module
  (memory (export "memory") 1)
  ;; Truncated kernel rows of the batch's fixed points [0, rows); see the layout above.
  ;; scale = -1/(2σ²), radius2 = r², c = the outlier term. Rows whose kernel sum is <= 1e-300
  ;; leave the accumulators untouched.
  (func (export "gridRows")
    (param $sx i32) (param $sy i32) (param $sz i32) (param $w i32)
    (param $a1 i32) (param $ax i32) (param $ay i32) (param $az i32)
    (param $fx i32) (param $fy i32) (param $fz i32) (param $den i32)
    (param $rowRuns i32) (param $runs i32) (param $rows i32)
    (param $scale f64) (param $radius2 f64) (param $c f64)
    (local $i i32) (local $o i32) (local $run i32) (local $runEnd i32)
    (local $s i32) (local $end i32) (local $sb i32) (local $q i32) (local $qb i32)
    (local $x v128) (local $y v128) (local $z v128) (local $scaleV v128) (local $rad2 v128)
    (local $dx v128) (local $dy v128) (local $dz v128) (local $d2 v128) (local $e v128)
    (local $sum v128) (local $d f64) (local $vi v128) (local $wx v128) (local $wy v128)
    (local $wz v128) (local $limit v128) ${
    expLocals("").map((name) => `(local ${name} v128)`).join(" ")
  }
    (local.set $scaleV (f64x2.splat (local.get $scale)))
    (local.set $rad2 (f64x2.splat (local.get $radius2)))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $o (i32.shl (local.get $i) (i32.const 3)))
      (local.set $x (v128.load64_splat (i32.add (local.get $fx) (local.get $o))))
      (local.set $y (v128.load64_splat (i32.add (local.get $fy) (local.get $o))))
      (local.set $z (v128.load64_splat (i32.add (local.get $fz) (local.get $o))))
      (local.set $sum ${splat("0")})
      (local.set $q (i32.const 0))
      (local.set $run (i32.load (i32.add (local.get $rowRuns) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $runEnd (i32.load offset=4
        (i32.add (local.get $rowRuns) (i32.shl (local.get $i) (i32.const 2)))))
      ;; pass 1: kernel values of every run, masked to the ball and to the run's end
      (block $runsDone (loop $runLoop
        (br_if $runsDone (i32.ge_u (local.get $run) (local.get $runEnd)))
        (local.set $s (i32.load (i32.add (local.get $runs) (i32.shl (local.get $run) (i32.const 3)))))
        (local.set $end (i32.load offset=4
          (i32.add (local.get $runs) (i32.shl (local.get $run) (i32.const 3)))))
        (local.set $limit (i64x2.splat (i64.extend_i32_s (local.get $end))))
        (block $pairsDone (loop $pairs
          (br_if $pairsDone (i32.ge_s (local.get $s) (local.get $end)))
          (local.set $sb (i32.shl (local.get $s) (i32.const 3)))
          (local.set $qb (i32.shl (local.get $q) (i32.const 3)))
          (local.set $dx (f64x2.sub (local.get $x) (v128.load align=8 ${address("$sx")})))
          (local.set $dy (f64x2.sub (local.get $y) (v128.load align=8 ${address("$sy")})))
          (local.set $dz (f64x2.sub (local.get $z) (v128.load align=8 ${address("$sz")})))
          (local.set $d2 (f64x2.add (f64x2.add (f64x2.mul (local.get $dx) (local.get $dx))
            (f64x2.mul (local.get $dy) (local.get $dy))) (f64x2.mul (local.get $dz) (local.get $dz))))
          (local.set $t (f64x2.mul (local.get $scaleV) (local.get $d2)))${inlineExp("", "$e")}
          (local.set $e (v128.and (local.get $e) (v128.and (f64x2.le (local.get $d2) (local.get $rad2))
            (i64x2.lt_s (i64x2.add (i64x2.splat (i64.extend_i32_s (local.get $s)))
              (v128.const i64x2 0 1)) (local.get $limit)))))
          (v128.store ${wAddress} (local.get $e))
          (local.set $sum (f64x2.add (local.get $sum) (local.get $e)))
          (local.set $s (i32.add (local.get $s) (i32.const 2)))
          (local.set $q (i32.add (local.get $q) (i32.const 2)))
          (br $pairs)))
        (local.set $run (i32.add (local.get $run) (i32.const 1)))
        (br $runLoop)))
      (local.set $d (f64.add (f64x2.extract_lane 0 (local.get $sum))
        (f64x2.extract_lane 1 (local.get $sum))))
      (f64.store (i32.add (local.get $den) (local.get $o)) (local.get $d))
      ;; pass 2: posterior-weighted sums over the same runs (masked lanes hold exactly 0)
      (if (f64.gt (local.get $d) (f64.const 1e-300)) (then
        (local.set $vi (f64x2.splat (f64.div (f64.const 1) (f64.add (local.get $d) (local.get $c)))))
        (local.set $wx (f64x2.mul (local.get $x) (local.get $vi)))
        (local.set $wy (f64x2.mul (local.get $y) (local.get $vi)))
        (local.set $wz (f64x2.mul (local.get $z) (local.get $vi)))
        (local.set $q (i32.const 0))
        (local.set $run (i32.load (i32.add (local.get $rowRuns) (i32.shl (local.get $i) (i32.const 2)))))
        (block $runsDone2 (loop $runLoop2
          (br_if $runsDone2 (i32.ge_u (local.get $run) (local.get $runEnd)))
          (local.set $s (i32.load (i32.add (local.get $runs) (i32.shl (local.get $run) (i32.const 3)))))
          (local.set $end (i32.load offset=4
            (i32.add (local.get $runs) (i32.shl (local.get $run) (i32.const 3)))))
          (block $accDone (loop $acc
            (br_if $accDone (i32.ge_s (local.get $s) (local.get $end)))
            (local.set $sb (i32.shl (local.get $s) (i32.const 3)))
            (local.set $qb (i32.shl (local.get $q) (i32.const 3)))
            (local.set $e (v128.load ${wAddress}))${accumulate("$a1", "$vi")}${
    accumulate("$ax", "$wx")
  }${accumulate("$ay", "$wy")}${accumulate("$az", "$wz")}
            (local.set $s (i32.add (local.get $s) (i32.const 2)))
            (local.set $q (i32.add (local.get $q) (i32.const 2)))
            (br $acc)))
          (local.set $run (i32.add (local.get $run) (i32.const 1)))
          (br $runLoop2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))
)
`;
}
