/**
 * A row's loss and gradient scalars, in float64, right after its forward sweep: the same
 * formulas as ../rowMath.ts (which keeps them for rows fed in pieces), here so that short
 * rows (C = 10) do not pay a JavaScript round trip and two Math calls per row.
 *
 *   u = S·exp(M - x[y]);  nll = w[y]·log1p(u);  logSumExp = x[y] + log1p(u)
 *   smooth = W·(logSumExp - R) - (T + w[y]·(x[y] - R))
 *   alpha = -G·exp(M - logSumExp),  G = Σ_c beta[c] + nllGrad·w[y]
 *   g[y] = beta[y] - p[y]·Σ_c beta[c] + nllGrad·w[y]·(1 - p[y]),  p[y] = 1/(1 + u)
 *
 * The call's constants (smoothing, weights, the gradient's scale) are set once per call
 * through configure(); the sums over rows accumulate in globals the caller reads and resets.
 * A row with NaN or ±Infinity gets status EXACT and is left to the exact float64 path; a row
 * whose target logit is more than 600 below the max (u could overflow) gets status PIECES and
 * the caller finishes it with ../rowMath.ts.
 */
import { locals } from "./lanes";

/** Row status codes, shared with kernelSweep.ts. */
export const STATUS = { FAST: 0, IGNORED: 1, EXACT: 2, PIECES: 3 } as const;
/** What gradRows does with a row: the kernel writes it, zeros it, or leaves it to the caller. */
export const GRADIENT = { SWEEP: 0, ZERO: 1, CALLER: 2 } as const;

const CONFIG = ["e", "W", "Cf", "nllGrad", "smoothGrad", "smoothGradSum"];
export const SUMS = ["NLL", "SMOOTH", "DEN", "TOTAL"] as const;

export function rowTermsGlobals(): string {
  const f64 = [...CONFIG, ...SUMS].map((name) => `  (global $${name} (export "${name}") (mut f64) (f64.const 0))`);
  const i32 = ["weighted", "withGrad"].map((name) => `  (global $${name} (mut i32) (i32.const 0))`);
  return [...f64, ...i32].join("\n");
}

export function rowTermsFunctions(): string {
  const g = (name: string): string => `(global.get $${name})`;
  const l = (name: string): string => `(local.get $${name})`;
  const finite = (v: string): string => `(f64.eq (f64.sub ${v} ${v}) (f64.const 0))`;
  return `;; The call's constants: label smoothing e, W = Σ w, C, the gradient's scales.
(func (export "configure") (param $e f64) (param $W f64) (param $C f64) (param $nllGrad f64) (param $smoothGrad f64) (param $smoothGradSum f64) (param $weighted i32) (param $withGrad i32)
  (global.set $e ${l("e")}) (global.set $W ${l("W")}) (global.set $Cf ${l("C")})
  (global.set $nllGrad ${l("nllGrad")}) (global.set $smoothGrad ${l("smoothGrad")}) (global.set $smoothGradSum ${l("smoothGradSum")})
  (global.set $weighted ${l("weighted")}) (global.set $withGrad ${l("withGrad")}))

;; Row terms from the state M, S, MIN, T: x[y] = xy, the row's first logit R, its weight wy.
;; Writes the row's loss at lossAt and (alpha, M, g[y], what-to-do) at coefAt; returns a status.
(func $rowTerms (param $xy f64) (param $R f64) (param $wy f64) (param $othersEmpty i32) (param $lossAt i32) (param $coefAt i32) (result i32)
  ${locals("f64", ["d", "u", "sp", "nll", "smooth", "loss", "G", "pT"])}
  (f64.store offset=24 ${l("coefAt")} (f64.const ${GRADIENT.CALLER}))
  (if (i32.eqz (i32.and ${finite(l("xy"))}
        (i32.or ${l("othersEmpty")} (i32.and (i32.and ${finite(g("M"))} ${finite(g("S"))}) (i32.and (f64.ne ${g("MIN")} (f64.const -inf)) ${finite(g("T"))})))))
    (then (return (i32.const ${STATUS.EXACT}))))
  (local.set $d (f64.sub ${g("M")} ${l("xy")}))
  (if (f64.gt ${l("d")} (f64.const 600)) (then (return (i32.const ${STATUS.PIECES}))))
  (local.set $u (f64.mul ${g("S")} (call $exp64 ${l("d")})))
  (local.set $sp (call $log1p64 ${l("u")}))
  (local.set $nll (f64.mul ${l("sp")} ${l("wy")}))
  (if (f64.gt ${g("e")} (f64.const 0)) (then
    (local.set $smooth (f64.sub
      (f64.mul ${g("W")} (f64.sub (f64.add ${l("xy")} ${l("sp")}) ${l("R")}))
      (f64.add ${g("T")} (f64.mul (if (result f64) ${g("weighted")} (then ${l("wy")}) (else (f64.const 1))) (f64.sub ${l("xy")} ${l("R")})))))
    (local.set $loss (f64.add (f64.mul (f64.sub (f64.const 1) ${g("e")}) ${l("nll")}) (f64.mul ${l("smooth")} (f64.div ${g("e")} ${g("Cf")})))))
    (else (local.set $loss ${l("nll")})))
  (global.set $NLL (f64.add ${g("NLL")} ${l("nll")}))
  (global.set $SMOOTH (f64.add ${g("SMOOTH")} ${l("smooth")}))
  (global.set $DEN (f64.add ${g("DEN")} ${l("wy")}))
  (global.set $TOTAL (f64.add ${g("TOTAL")} ${l("loss")}))
  (f64.store ${l("lossAt")} ${l("loss")})
  (if ${g("withGrad")} (then
    (local.set $G (f64.add ${g("smoothGradSum")} (f64.mul ${g("nllGrad")} ${l("wy")})))
    (local.set $pT (f64.div (f64.const 1) (f64.add (f64.const 1) ${l("u")})))
    (f64.store ${l("coefAt")} (f64.neg (f64.mul ${l("G")} (call $exp64 (f64.sub ${l("d")} ${l("sp")})))))
    (f64.store offset=8 ${l("coefAt")} ${g("M")})
    (f64.store offset=16 ${l("coefAt")} (f64.add
      (f64.sub
        (if (result f64) (f64.gt ${g("e")} (f64.const 0))
          (then (f64.mul ${g("smoothGrad")} (if (result f64) ${g("weighted")} (then ${l("wy")}) (else (f64.const 1)))))
          (else (f64.const 0)))
        (f64.mul ${l("pT")} ${g("smoothGradSum")}))
      (f64.mul (f64.mul ${g("nllGrad")} ${l("wy")}) (f64.mul ${l("u")} ${l("pT")}))))
    (f64.store offset=24 ${l("coefAt")} (f64.const ${GRADIENT.SWEEP}))))
  (i32.const ${STATUS.FAST}))`;
}
