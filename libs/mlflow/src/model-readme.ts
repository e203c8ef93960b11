import type { ModelArtifact } from '@app/contracts';
import type { AlgorithmName } from '@app/model';

/**
 * How to rebuild each algorithm's scikit-learn estimator from `params`; a new algorithm cannot
 * compile without its own. Each sets the fitted attributes scikit-learn's predict_proba reads.
 */
const SKLEARN_LOADERS: Record<AlgorithmName, { about: string; code: string }> = {
  gaussian_nb: {
    about: `scikit-learn's \`GaussianNB\` attributes: \`means\` is \`theta_\`, \`variances\` is \`var_\`
(smoothing included), \`logPriors\` the log of \`class_prior_\`, \`classCounts\` is
\`class_count_\`, \`epsilon\` is \`epsilon_\``,
    code: `from sklearn.naive_bayes import GaussianNB

model = GaussianNB(var_smoothing=params["varSmoothing"])
model.classes_ = np.array(params["classNames"])
model.theta_ = np.array(params["means"])
model.var_ = np.array(params["variances"])
model.class_prior_ = np.exp(params["logPriors"])
model.class_count_ = np.array(params["classCounts"], dtype=float)
model.epsilon_ = params["epsilon"]`,
  },
  logistic_regression: {
    about: `scikit-learn's \`LogisticRegression\` attributes: \`coef\` is \`coef_\` (one row per class, or
one row for two classes), \`intercept\` is \`intercept_\`, \`C\` the L2 penalty it was fitted with
(null when the model says nothing of it)`,
    code: `from sklearn.linear_model import LogisticRegression

model = LogisticRegression(C=params["C"] or 1.0)
model.classes_ = np.array(params["classNames"])
model.coef_ = np.array(params["coef"])
model.intercept_ = np.array(params["intercept"])`,
  },
};

/** The README stored next to model.json in every run that registered a version: how to use the file without the platform. */
export function modelReadme(modelName: string, artifact: ModelArtifact): string {
  const p = artifact.params;
  const loader = SKLEARN_LOADERS[p.algorithm];
  return `# ${modelName}, registry version ${artifact.version}

\`model.json\` is the artifact the platform's registry holds for this version (the \`model\` of
its ml.model.registered.v1 record), the JSON its workers score with: \`params\` (the fitted
estimator), \`metrics\` (holdout evaluation), \`baselines\` (training feature histograms, used
for drift) and \`checksum\` (sha256 of the params).

Algorithm: \`${p.algorithm}\`; features, in order: ${p.featureNames.map((f) => `\`${f}\``).join(', ')};
classes, in order: ${p.classNames.map((c) => `\`${c}\``).join(', ')}.

The parameters are ${loader.about}. To score with scikit-learn:

\`\`\`python
import json, numpy as np
from mlflow.artifacts import download_artifacts

params = json.load(open(download_artifacts("models:/${modelName}@champion/model.json")))["params"]
${loader.code}
model.n_features_in_ = len(params["featureNames"])
x = [[0.0] * len(params["featureNames"])]  # one row: its features in the order above
print(model.predict_proba(x))
\`\`\`

The registry stays the source of truth: serving never reads MLflow. The \`champion\` alias
follows the current version, \`challenger\` the canary (or, without one, the shadow).
`;
}
