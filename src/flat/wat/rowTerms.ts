/**
 * A row's loss and gradient scalars, in float64, right after its forward sweep: the same
 * formulas as ../rowMath.ts (which explains them and keeps them for rows fed in pieces), here
 * so that short rows (C = 10) do not pay a JavaScript round trip and two Math calls per row.
 * With d = M - x[y], each is formed from the side of the row's true max:
 *
 *   d <= 0:  u = S·exp(d);  sp = log1p(u);  logSumExp - R = (x[y] - R) + sp
 *            p[y] = 1/(1 + u);  ratio = exp(d)·p[y]  (= exp(d - sp), without a second exp)
 *   d > 0:   v = exp(-d);  L = log1p((S - 1) + v);  sp = d + L;  logSumExp - R = (M - R) + L
 *            p[y] = v/(S + v);  ratio = 1/(S + v)
 *   nll = w[y]·sp;  smooth = W·(logSumExp - R) - (T + w[y]·(x[y] - R))
 *   alpha = -G·ratio,  G = Σ_c beta[c] + nllGrad·w[y]
 *   g[y] = beta[y] - p[y]·Σ_c beta[c] + nllGrad·w[y]·(1 - p[y])
 *
 * The call's constants (smoothing, weights, the gradient's scale) are set once per call
 * through configure(); the sums over rows accumulate in globals the caller reads and resets.
 * A row with NaN or ±Infinity gets status EXACT and is left to the exact float64 path; a row
 * whose smoothing sum cancels (its terms over CANCELLATION times the result, rowMath.ts) gets
 * status PIECES and the caller finishes it in JavaScript (rowFinish.ts), which sends it to
 * the exact path too.
 */
import { locals } from "./lanes";

/** The largest (|W·(logSumExp - R)| + |T| + |w[y]·(x[y] - R)|) / smoothing term the fast path keeps. */
export const CANCELLATION = 64;

/** Row status codes, shared with kernelSweep.ts. */
export const STATUS = { FAST: 0, IGNORED: 1, EXACT: 2, PIECES: 3 } as const;
/** What gradRows does with a row: the kernel writes it, zeros it, or leaves it to the caller. */
export const GRADIENT = { SWEEP: 0, ZERO: 1, CALLER: 2 } as const;

const CONFIG = ["e", "W", "Cf", "nllGrad", "smoothGrad", "smoothGradSum"];
export const SUMS = ["NLL", "SMOOTH", "DEN", "TOTAL"] as const;

export function rowTermsGlobals(): string {
  const f64 = [...CONFIG, ...SUMS].map((name) => `  (global $${name} (export "${name}") (mut f64) (f64.const 0))`);
  const i32 = ["weighted", "withGrad", "ignore"].map((name) => `  (global $${name} (mut i32) (i32.const 0))`);
  // Rows of the last statsRows call left to the caller (statsRows.ts): 0 spares it a loop over the rows.
  const left = `  (global $LEFT (export "LEFT") (mut i32) (i32.const 0))`;
  return [...f64, ...i32, left].join("\n");
}

export function rowTermsFunctions(): string {
  const g = (name: string): string => `(global.get $${name})`;
  const l = (name: string): string => `(local.get $${name})`;
  const finite = (v: string): string => `(f64.eq (f64.sub ${v} ${v}) (f64.const 0))`;
  return `;; The call's constants: label smoothing e, W = Σ w, C, the gradient's scales, and the target
;; value that marks an ignored row (statsRows.ts turns it into -1 or -2).
(func (export "configure") (param $e f64) (param $W f64) (param $C f64) (param $nllGrad f64) (param $smoothGrad f64) (param $smoothGradSum f64) (param $weighted i32) (param $withGrad i32) (param $ignore i32)
  (global.set $ignore ${l("ignore")})
  (global.set $e ${l("e")}) (global.set $W ${l("W")}) (global.set $Cf ${l("C")})
  (global.set $nllGrad ${l("nllGrad")}) (global.set $smoothGrad ${l("smoothGrad")}) (global.set $smoothGradSum ${l("smoothGradSum")})
  (global.set $weighted ${l("weighted")}) (global.set $withGrad ${l("withGrad")}))

;; Row terms from the state M, S, MIN, T: x[y] = xy, the row's first logit R, its weight wy;
;; ex = exp64(-|d|) and lp = log1p64 of (S - 1) + ex (d > 0) or S·ex (d <= 0), d = M - xy,
;; computed for two rows at once by the caller (statsRows.ts, finishPair).
;; Writes the row's loss at lossAt and (alpha, M, g[y], what-to-do) at coefAt; returns a status.
(func $rowTerms (param $xy f64) (param $R f64) (param $wy f64) (param $othersEmpty i32) (param $lossAt i32) (param $coefAt i32) (param $ex f64) (param $lp f64) (result i32)
  ${locals("f64", ["d", "ed", "u", "v", "sp", "lseR", "nll", "A", "D", "smooth", "loss", "G", "ratio", "pT", "pO"])}
  (f64.store offset=24 ${l("coefAt")} (f64.const ${GRADIENT.CALLER}))
  (if (i32.eqz (i32.and ${finite(l("xy"))}
        (i32.or ${l("othersEmpty")} (i32.and (i32.and ${finite(g("M"))} ${finite(g("S"))}) (i32.and (f64.ne ${g("MIN")} (f64.const -inf)) ${finite(g("T"))})))))
    (then (return (i32.const ${STATUS.EXACT}))))
  (local.set $d (f64.sub ${g("M")} ${l("xy")}))
  ;; exp64 clamps its argument at -708: v and u are then ~1e-307 instead of 0, which no sum sees.
  (if (f64.gt ${l("d")} (f64.const 0))
    (then
      (local.set $v ${l("ex")})
      (local.set $sp ${l("lp")})
      (local.set $lseR (f64.add (f64.sub ${g("M")} ${l("R")}) ${l("sp")}))
      (local.set $sp (f64.add ${l("d")} ${l("sp")})))
    (else
      (local.set $ed ${l("ex")})
      (local.set $u (f64.mul ${g("S")} ${l("ed")}))
      (local.set $sp ${l("lp")})
      (local.set $lseR (f64.add (f64.sub ${l("xy")} ${l("R")}) ${l("sp")}))))
  (local.set $nll (f64.mul ${l("sp")} ${l("wy")}))
  (if (f64.gt ${g("e")} (f64.const 0)) (then
    (local.set $A (f64.mul ${g("W")} ${l("lseR")}))
    (local.set $D (f64.mul (if (result f64) ${g("weighted")} (then ${l("wy")}) (else (f64.const 1))) (f64.sub ${l("xy")} ${l("R")})))
    (local.set $smooth (f64.sub ${l("A")} (f64.add ${g("T")} ${l("D")})))
    (if (i32.eqz (i32.and ${finite(l("smooth"))}
          (f64.le (f64.add (f64.add (f64.abs ${l("A")}) (f64.abs ${g("T")})) (f64.abs ${l("D")})) (f64.mul (f64.const ${CANCELLATION}) ${l("smooth")}))))
      (then (return (i32.const ${STATUS.PIECES}))))
    (local.set $loss (f64.add (f64.mul (f64.sub (f64.const 1) ${g("e")}) ${l("nll")}) (f64.mul ${l("smooth")} (f64.div ${g("e")} ${g("Cf")})))))
    (else (local.set $loss ${l("nll")})))
  (global.set $NLL (f64.add ${g("NLL")} ${l("nll")}))
  (global.set $SMOOTH (f64.add ${g("SMOOTH")} ${l("smooth")}))
  (global.set $DEN (f64.add ${g("DEN")} ${l("wy")}))
  (global.set $TOTAL (f64.add ${g("TOTAL")} ${l("loss")}))
  (f64.store ${l("lossAt")} ${l("loss")})
  (if ${g("withGrad")} (then
    (if (f64.gt ${l("d")} (f64.const 0))
      (then
        (local.set $ratio (f64.div (f64.const 1) (f64.add ${g("S")} ${l("v")})))
        (local.set $pT (f64.mul ${l("v")} ${l("ratio")}))
        (local.set $pO (f64.mul ${g("S")} ${l("ratio")})))
      (else
        (local.set $pT (f64.div (f64.const 1) (f64.add (f64.const 1) ${l("u")})))
        (local.set $ratio (f64.mul ${l("ed")} ${l("pT")}))
        (local.set $pO (f64.mul ${l("u")} ${l("pT")}))))
    (local.set $G (f64.add ${g("smoothGradSum")} (f64.mul ${g("nllGrad")} ${l("wy")})))
    (f64.store ${l("coefAt")} (f64.neg (f64.mul ${l("G")} ${l("ratio")})))
    (f64.store offset=8 ${l("coefAt")} ${g("M")})
    (f64.store offset=16 ${l("coefAt")} (f64.add
      (f64.sub
        (if (result f64) (f64.gt ${g("e")} (f64.const 0))
          (then (f64.mul ${g("smoothGrad")} (if (result f64) ${g("weighted")} (then ${l("wy")}) (else (f64.const 1)))))
          (else (f64.const 0)))
        (f64.mul ${l("pT")} ${g("smoothGradSum")}))
      (f64.mul (f64.mul ${g("nllGrad")} ${l("wy")}) ${l("pO")})))
    (f64.store offset=24 ${l("coefAt")} (f64.const ${GRADIENT.SWEEP}))))
  (i32.const ${STATUS.FAST}))`;
}
