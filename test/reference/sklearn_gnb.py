"""Reference GaussianNB from scikit-learn for libs/model/src/estimators/gaussian-nb/gaussian-nb.sklearn.spec.ts.

stdin:  {"X": [[...]], "y": [...], "queries": [[...]], "var_smoothing": 1e-9}
stdout: {"theta": [[...]], "var": [[...]], "class_prior": [...], "proba": [[...]], "classes": [...],
         "epsilon": float, "sklearn_version": str}
A JSON array of requests gets an array of results, so a spec pays the import cost once.
Exits with status 3 and a message on stderr when scikit-learn is missing, so the spec fails loudly.
"""
import json
import sys

try:
    import numpy as np
    import sklearn
    from sklearn.naive_bayes import GaussianNB
except ImportError as exc:  # pragma: no cover - exercised only on misconfigured machines
    sys.stderr.write(f"scikit-learn is not importable ({exc}); install it with `pip install scikit-learn`\n")
    sys.exit(3)


def fit_and_score(req: dict) -> dict:
    X = np.asarray(req["X"], dtype=np.float64)
    y = np.asarray(req["y"], dtype=np.int64)
    queries = np.asarray(req["queries"], dtype=np.float64)
    model = GaussianNB(var_smoothing=float(req.get("var_smoothing", 1e-9))).fit(X, y)
    return {
        "theta": model.theta_.tolist(),
        "var": model.var_.tolist(),
        "class_prior": model.class_prior_.tolist(),
        "epsilon": float(model.epsilon_),
        "proba": model.predict_proba(queries).tolist(),
        "classes": model.predict(queries).tolist(),
        "sklearn_version": sklearn.__version__,
    }


def main() -> None:
    req = json.load(sys.stdin)
    result = [fit_and_score(r) for r in req] if isinstance(req, list) else fit_and_score(req)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
