"""The seed's training script without MLflow: LogisticRegression on iris, 80/20 split, seed 42.

Writes the fitted model with pickle to the path given as the first argument.
"""

import pickle
import sys

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

RANDOM_STATE = 42


def main(out_path: str) -> None:
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=RANDOM_STATE)
    # max_iter 200: lbfgs on unscaled iris can stop at the default 100 with a convergence warning.
    model = LogisticRegression(max_iter=200, random_state=RANDOM_STATE)
    model.fit(X_train, y_train)
    accuracy = accuracy_score(y_test, model.predict(X_test))
    with open(out_path, "wb") as f:
        pickle.dump(model, f)
    print(f"trained LogisticRegression: accuracy {accuracy:.4f} on {len(y_test)} held-out rows -> {out_path}")


if __name__ == "__main__":
    main(sys.argv[1])
