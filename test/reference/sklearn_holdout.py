"""Reference holdout evaluation from scikit-learn for libs/training/src/train-model.sklearn.spec.ts.

stdin:  a JSON array of {"X", "y", "train_idx", "test_idx", "var_smoothing", "reference_X", "reference_y", "labels"}
stdout: per request, GaussianNB fitted on the train rows and judged on the test rows:
        {"accuracy", "macro_f1", "precision", "recall", "f1", "support", "confusion_matrix",
         "reference_accuracy", "sklearn_version"}
The split itself is the platform's (its own seeded stratified split, pinned by its own spec);
everything after it is scikit-learn's.
"""
import json
import sys

try:
    import numpy as np
    import sklearn
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
    from sklearn.naive_bayes import GaussianNB
except ImportError as exc:  # pragma: no cover - exercised only on misconfigured machines
    sys.stderr.write(f"scikit-learn is not importable ({exc}); install it with `pip install scikit-learn`\n")
    sys.exit(3)


def evaluate(req: dict) -> dict:
    X = np.asarray(req["X"], dtype=np.float64)
    y = np.asarray(req["y"], dtype=np.int64)
    train, test = req["train_idx"], req["test_idx"]
    labels = req["labels"]
    model = GaussianNB(var_smoothing=float(req["var_smoothing"])).fit(X[train], y[train])
    predicted = model.predict(X[test])
    precision, recall, f1, support = precision_recall_fscore_support(y[test], predicted, labels=labels, zero_division=0)
    reference = model.predict(np.asarray(req["reference_X"], dtype=np.float64))
    return {
        "accuracy": float(accuracy_score(y[test], predicted)),
        "macro_f1": float(f1_score(y[test], predicted, labels=labels, average="macro", zero_division=0)),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": support.tolist(),
        "confusion_matrix": confusion_matrix(y[test], predicted, labels=labels).tolist(),
        "reference_accuracy": float(accuracy_score(req["reference_y"], reference)),
        "sklearn_version": sklearn.__version__,
    }


def main() -> None:
    json.dump([evaluate(r) for r in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
