;; z = W h kernels for src/core/kernels/projection.ts (WebAssembly SIMD, f32x4).
;; Compiled by tools/build-kernels.ts into projection.wasm.ts; never edit that file by hand.
;;
;; Layout (all byte offsets in the one imported memory):
;;   $w    first byte of row 0 of the rows to project (row-major, $cols values a row)
;;   $x    h prepared by the caller: for f32 plain h; for 16-bit storage the first
;;         $main = cols & ~15 values are deinterleaved per 8 (x0 x2 x4 x6 | x1 x3 x5 x7)
;;         and the $cols - $main tail values follow in order
;;   $out  one f32 per row
;; Each row is summed in four f32x4 accumulators, then lane by lane, then the tail.
(module
  (import "env" "memory" (memory 1))

  (func $sum4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result f32)
    (local $s v128)
    (local.set $s (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
      (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))

  ;; f32 storage: out[r] = sum_j W[r, j] x[j]
  (func (export "proj_f32") (param $w i32) (param $x i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $end i32) (local $xmain i32) (local $xend i32) (local $xp i32) (local $s f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (local.set $xmain (i32.add (local.get $x) (i32.shl (i32.and (local.get $cols) (i32.const -16)) (i32.const 2))))
    (local.set $xend (i32.add (local.get $x) (i32.shl (local.get $cols) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (loop $row
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $xp (local.get $x))
        (block $nomain
          (br_if $nomain (i32.ge_u (local.get $xp) (local.get $xmain)))
          (loop $col
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $w)) (v128.load (local.get $xp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $w)) (v128.load offset=16 (local.get $xp)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $w)) (v128.load offset=32 (local.get $xp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $w)) (v128.load offset=48 (local.get $xp)))))
            (local.set $w (i32.add (local.get $w) (i32.const 64)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
            (br_if $col (i32.lt_u (local.get $xp) (local.get $xmain)))))
        (local.set $s (call $sum4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
        (block $notail
          (br_if $notail (i32.ge_u (local.get $xp) (local.get $xend)))
          (loop $tail
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $w)) (f32.load (local.get $xp)))))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (br_if $tail (i32.lt_u (local.get $xp) (local.get $xend)))))
        (f32.store (local.get $out) (local.get $s))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $row (i32.lt_u (local.get $out) (local.get $end))))))

  ;; bfloat16 storage: a bf16 word is the top half of its f32, so an i32 lane
  ;; holding words (even, odd) widens to (lane << 16) and (lane & 0xffff0000).
  (func (export "proj_bf16") (param $w i32) (param $x i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $end i32) (local $xmain i32) (local $xend i32) (local $xp i32) (local $s f32) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (local.set $xmain (i32.add (local.get $x) (i32.shl (i32.and (local.get $cols) (i32.const -16)) (i32.const 2))))
    (local.set $xend (i32.add (local.get $x) (i32.shl (local.get $cols) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (loop $row
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $xp (local.get $x))
        (block $nomain
          (br_if $nomain (i32.ge_u (local.get $xp) (local.get $xmain)))
          (loop $col
            (local.set $v (v128.load (local.get $w)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (i32x4.shl (local.get $v) (i32.const 16)) (v128.load (local.get $xp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.and (local.get $v) (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)) (v128.load offset=16 (local.get $xp)))))
            (local.set $v (v128.load offset=16 (local.get $w)))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (i32x4.shl (local.get $v) (i32.const 16)) (v128.load offset=32 (local.get $xp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.and (local.get $v) (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)) (v128.load offset=48 (local.get $xp)))))
            (local.set $w (i32.add (local.get $w) (i32.const 32)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
            (br_if $col (i32.lt_u (local.get $xp) (local.get $xmain)))))
        (local.set $s (call $sum4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
        (block $notail
          (br_if $notail (i32.ge_u (local.get $xp) (local.get $xend)))
          (loop $tail
            (local.set $s (f32.add (local.get $s)
              (f32.mul (f32.reinterpret_i32 (i32.shl (i32.load16_u (local.get $w)) (i32.const 16))) (f32.load (local.get $xp)))))
            (local.set $w (i32.add (local.get $w) (i32.const 2)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (br_if $tail (i32.lt_u (local.get $xp) (local.get $xend)))))
        (f32.store (local.get $out) (local.get $s))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $row (i32.lt_u (local.get $out) (local.get $end))))))

  ;; float16 storage. With the word in the top half of an i32 lane u,
  ;; t = (u >>s 3) & 0x8fffe000 is sign | exponent·mantissa << 13, i.e. the f32
  ;; w · 2^-112 exactly (zero and subnormal halves included). The caller scales x
  ;; by 2^56 and passes $scale = 2^56, so products stay in range and the result is
  ;; exact up to summation order. Halves with exponent 31 (inf, NaN) are not
  ;; handled: the caller checks W once with f16_nonfinite and keeps such heads on
  ;; the plain path.
  (func (export "proj_f16") (param $w i32) (param $x i32) (param $rows i32) (param $cols i32) (param $out i32) (param $scale f32)
    (local $end i32) (local $xmain i32) (local $xend i32) (local $xp i32) (local $s f32) (local $v v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (local.set $xmain (i32.add (local.get $x) (i32.shl (i32.and (local.get $cols) (i32.const -16)) (i32.const 2))))
    (local.set $xend (i32.add (local.get $x) (i32.shl (local.get $cols) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (loop $row
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $xp (local.get $x))
        (block $nomain
          (br_if $nomain (i32.ge_u (local.get $xp) (local.get $xmain)))
          (loop $col
            (local.set $v (v128.load (local.get $w)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
              (v128.and (i32x4.shr_s (i32x4.shl (local.get $v) (i32.const 16)) (i32.const 3)) (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
              (v128.load (local.get $xp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul
              (v128.and (i32x4.shr_s (local.get $v) (i32.const 3)) (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
              (v128.load offset=16 (local.get $xp)))))
            (local.set $v (v128.load offset=16 (local.get $w)))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul
              (v128.and (i32x4.shr_s (i32x4.shl (local.get $v) (i32.const 16)) (i32.const 3)) (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
              (v128.load offset=32 (local.get $xp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul
              (v128.and (i32x4.shr_s (local.get $v) (i32.const 3)) (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))
              (v128.load offset=48 (local.get $xp)))))
            (local.set $w (i32.add (local.get $w) (i32.const 32)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
            (br_if $col (i32.lt_u (local.get $xp) (local.get $xmain)))))
        (local.set $s (call $sum4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
        (block $notail
          (br_if $notail (i32.ge_u (local.get $xp) (local.get $xend)))
          (loop $tail
            (local.set $s (f32.add (local.get $s) (f32.mul
              (f32.reinterpret_i32 (i32.and
                (i32.shr_s (i32.shl (i32.load16_u (local.get $w)) (i32.const 16)) (i32.const 3))
                (i32.const 0x8fffe000)))
              (f32.load (local.get $xp)))))
            (local.set $w (i32.add (local.get $w) (i32.const 2)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
            (br_if $tail (i32.lt_u (local.get $xp) (local.get $xend)))))
        (f32.store (local.get $out) (f32.mul (local.get $s) (local.get $scale)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $row (i32.lt_u (local.get $out) (local.get $end))))))

  ;; Reads rows of f32 W and stores each row's sum: the same traffic as proj_f32
  ;; without the multiplies (the bench's "read W once" bandwidth floor).
  (func (export "rowsum_f32") (param $w i32) (param $x i32) (param $rows i32) (param $cols i32) (param $out i32)
    (local $end i32) (local $rend i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (loop $row
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $rend (i32.add (local.get $w) (i32.shl (i32.and (local.get $cols) (i32.const -16)) (i32.const 2))))
        (block $nomain
          (br_if $nomain (i32.ge_u (local.get $w) (local.get $rend)))
          (loop $col
            (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $w))))
            (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $w))))
            (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $w))))
            (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $w))))
            (local.set $w (i32.add (local.get $w) (i32.const 64)))
            (br_if $col (i32.lt_u (local.get $w) (local.get $rend)))))
        ;; a tail of cols % 16 values is skipped: the bench uses d = 1024
        (local.set $w (i32.add (local.get $w) (i32.shl (i32.and (local.get $cols) (i32.const 15)) (i32.const 2))))
        (f32.store (local.get $out) (call $sum4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $row (i32.lt_u (local.get $out) (local.get $end))))))

  ;; 1 if any of the $n half words at $p has exponent 31 (inf or NaN), else 0.
  (func (export "f16_nonfinite") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $simd_end i32) (local $acc v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 1))))
    (local.set $simd_end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 1))))
    (block $nosimd
      (br_if $nosimd (i32.ge_u (local.get $p) (local.get $simd_end)))
      (loop $simd
        (local.set $acc (v128.or (local.get $acc)
          (i16x8.eq
            (v128.and (v128.load (local.get $p)) (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00))
            (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $simd (i32.lt_u (local.get $p) (local.get $simd_end)))))
    (if (v128.any_true (local.get $acc)) (then (return (i32.const 1))))
    (block $notail
      (br_if $notail (i32.ge_u (local.get $p) (local.get $end)))
      (loop $tail
        (if (i32.eq (i32.and (i32.load16_u (local.get $p)) (i32.const 0x7c00)) (i32.const 0x7c00)) (then (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 2)))
        (br_if $tail (i32.lt_u (local.get $p) (local.get $end)))))
    (i32.const 0))
)
