"""Reference LogisticRegression from scikit-learn for the logistic-regression parity spec.

stdin:  [{"X": [[...]], "y": ["label", ...], "queries": [[...]], "C": 1.0, "default_max_iter": 100}, ...]
stdout: one result per request:
  "classes":      classes_ (np.unique order of the string labels)
  "proba":        predict_proba(queries) of LogisticRegression(C) fitted to convergence: the
                  newton-cholesky solver with tol 1e-12 (lbfgs with a tight tol stops early on
                  unscaled data: its ftol criterion ends it ~5e-5 away in probability)
  "solver_gap":   largest |proba| difference between that fit and newton-cg's at tol 1e-12, a check
                  that the reference itself sits at the optimum
  "coef", "intercept": the converged fit's coef_ and intercept_
  "default_predict": predict(queries) of LogisticRegression(C) with the default solver (lbfgs,
                  tol 1e-4) and max_iter = default_max_iter
  "default_converged": false when that fit raised a ConvergenceWarning
Exits with status 3 and a message on stderr when scikit-learn is missing, so the spec fails loudly.
"""
import json
import sys
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
except ImportError as exc:  # pragma: no cover - exercised only on misconfigured machines
    sys.stderr.write(f"scikit-learn is not importable ({exc}); run `bash scripts/test-prereqs.sh`\n")
    sys.exit(3)


def fit_and_score(req: dict) -> dict:
    X = np.asarray(req["X"], dtype=np.float64)
    y = np.asarray(req["y"], dtype=str)
    queries = np.asarray(req["queries"], dtype=np.float64)
    C = float(req.get("C", 1.0))
    exact = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    check = LogisticRegression(C=C, solver="newton-cg", tol=1e-12, max_iter=100000).fit(X, y)
    proba = exact.predict_proba(queries)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        default = LogisticRegression(C=C, max_iter=int(req.get("default_max_iter", 100))).fit(X, y)
    return {
        "classes": exact.classes_.tolist(),
        "proba": proba.tolist(),
        "solver_gap": float(np.abs(proba - check.predict_proba(queries)).max()),
        "coef": exact.coef_.tolist(),
        "intercept": exact.intercept_.tolist(),
        "default_predict": default.predict(queries).tolist(),
        "default_converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "sklearn_version": sklearn.__version__,
    }


def main() -> None:
    json.dump([fit_and_score(r) for r in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
