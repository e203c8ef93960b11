"""Exports a fitted scikit-learn GaussianNB or LogisticRegression as the platform's model JSON.

Usage (with the project's venv, which scripts/test-prereqs.sh makes):
  .tools/venv/bin/python scripts/export-sklearn-model.py MODEL.pkl|MODEL.joblib \\
      [--feature-names NAME ...] [--class-names NAME ...] [--out model.json]

The JSON holds the algorithm, the fitted parameters in the platform's layout, the feature names
and the class names, plus where it came from; libs/model's importModel validates it and
POST /models/{name}/versions registers it. Nothing is refitted: the platform then answers as
scikit-learn's predict_proba does for the same parameters.

Feature names come from --feature-names, else from the model's feature_names_in_ (set when it
was fitted on a DataFrame). Class names come from --class-names (in classes_ order), else are
classes_ as text. Loading a pickle runs code from the file: export only files you trust.
"""
import argparse
import json
import math
import pickle
import sys

try:
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import Pipeline
except ImportError as exc:
    sys.exit(f"scikit-learn is not importable ({exc}); run `bash scripts/test-prereqs.sh` and use .tools/venv/bin/python")


class ExportError(Exception):
    """A model this platform cannot serve exactly as scikit-learn does; the message says why."""


def load(path: str):
    if path.endswith(".joblib"):
        import joblib

        return joblib.load(path)
    with open(path, "rb") as f:
        return pickle.load(f)


def names(given, n: int, fallback, what: str, flag: str) -> list:
    if given:
        # One comma-separated argument works too: --feature-names a,b,c
        values = given[0].split(",") if len(given) == 1 and "," in given[0] else list(given)
        if len(values) != n:
            raise ExportError(f"{flag} has {len(values)} names but the model has {n} {what}")
    elif fallback is not None:
        values = [str(v) for v in fallback]
    else:
        raise ExportError(f"the model was fitted without feature names; pass {flag} with its {n} {what} in order")
    if len(set(values)) != len(values) or any(v == "" for v in values):
        raise ExportError(f"{what} names must be unique and non-empty, got {values}")
    return values


def gaussian_nb(model: GaussianNB) -> dict:
    counts = np.asarray(model.class_count_, dtype=np.float64)
    if not np.all(counts == np.round(counts)):
        raise ExportError("class_count_ holds fractional counts (fitted with sample_weight); the platform records whole counts")
    return {
        "algorithm": "gaussian_nb",
        "classCounts": [int(c) for c in counts],
        "logPriors": np.log(model.class_prior_).tolist(),
        "means": model.theta_.tolist(),
        "variances": model.var_.tolist(),
        "varSmoothing": float(model.var_smoothing),
        "epsilon": float(model.epsilon_),
    }


def logistic_regression(model: LogisticRegression) -> dict:
    n_classes = len(model.classes_)
    # Fitted before scikit-learn 1.7, a model may be one-vs-rest: its probabilities are normalised
    # sigmoids, not the softmax this platform (and scikit-learn 1.7+) computes.
    multi_class = model.__dict__.get("multi_class")
    solver = model.__dict__.get("solver")
    if n_classes > 2 and (multi_class == "ovr" or (multi_class == "auto" and solver == "liblinear")):
        raise ExportError("a one-vs-rest LogisticRegression (multi_class='ovr'); only multinomial models are served as scikit-learn scores them")
    penalty = model.__dict__.get("penalty", "l2")
    l1_ratio = model.__dict__.get("l1_ratio") or 0
    l2_only = penalty in ("l2", "deprecated") and l1_ratio == 0 and math.isfinite(model.C)
    return {
        "algorithm": "logistic_regression",
        "coef": model.coef_.tolist(),
        "intercept": np.atleast_1d(model.intercept_).tolist(),
        "C": float(model.C) if l2_only else None,
    }


def export(model, feature_names, class_names) -> dict:
    if isinstance(model, Pipeline):
        raise ExportError("a Pipeline: the platform applies no preprocessing; export a GaussianNB or LogisticRegression fitted on the raw features")
    if isinstance(model, GaussianNB):
        params = gaussian_nb(model)
    elif isinstance(model, LogisticRegression):
        params = logistic_regression(model)
    else:
        raise ExportError(f"a {type(model).__module__}.{type(model).__name__}; the platform imports GaussianNB and LogisticRegression")
    n_features = int(model.n_features_in_)
    return {
        "algorithm": params.pop("algorithm"),
        "featureNames": names(feature_names, n_features, getattr(model, "feature_names_in_", None), "features", "--feature-names"),
        "classNames": names(class_names, len(model.classes_), model.classes_, "classes", "--class-names"),
        **params,
        "source": {"library": "scikit-learn", "version": sklearn.__version__, "estimator": type(model).__name__},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Export a fitted scikit-learn GaussianNB or LogisticRegression as the platform's model JSON.")
    parser.add_argument("model", help="a .pkl (pickle) or .joblib file")
    parser.add_argument("--feature-names", nargs="+", help="feature names in the model's column order")
    parser.add_argument("--class-names", nargs="+", help="class names in classes_ order")
    parser.add_argument("--out", help="write here instead of stdout")
    args = parser.parse_args()
    try:
        exported = export(load(args.model), args.feature_names, args.class_names)
        # allow_nan=False: NaN and Infinity are not JSON; a model holding them cannot be served.
        text = json.dumps(exported, allow_nan=False, indent=1)
    except ExportError as err:
        sys.exit(f"cannot export {args.model}: {err}")
    except ValueError as err:
        sys.exit(f"cannot export {args.model}: the model holds NaN or infinite parameters ({err})")
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
        print(f"{args.out}: {exported['source']['estimator']} over {len(exported['featureNames'])} features and classes {exported['classNames']}", file=sys.stderr)
    else:
        print(text)


if __name__ == "__main__":
    main()
