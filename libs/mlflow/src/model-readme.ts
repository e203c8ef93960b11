import type { ModelArtifact } from '@app/contracts';

/** The README stored next to model.json in every run that registered a version: how to use the file without the platform. */
export function modelReadme(modelName: string, artifact: ModelArtifact): string {
  const p = artifact.params;
  return `# ${modelName}, registry version ${artifact.version}

\`model.json\` is the artifact the platform's registry holds for this version (the \`model\` of
its ml.model.registered.v1 record), the JSON its workers score with: \`params\` (the fitted
estimator), \`metrics\` (holdout evaluation), \`baselines\` (training feature histograms, used
for drift) and \`checksum\` (sha256 of the params).

Algorithm: \`${p.algorithm}\`; features, in order: ${p.featureNames.map((f) => `\`${f}\``).join(', ')};
classes, in order: ${p.classNames.map((c) => `\`${c}\``).join(', ')}.

For \`gaussian_nb\` the parameters are scikit-learn's \`GaussianNB\` attributes: \`means\` is
\`theta_\`, \`variances\` is \`var_\` (smoothing included), \`logPriors\` the log of
\`class_prior_\`, \`classCounts\` is \`class_count_\`, \`epsilon\` is \`epsilon_\`. To score with
scikit-learn:

\`\`\`python
import json, numpy as np
from mlflow.artifacts import download_artifacts
from sklearn.naive_bayes import GaussianNB

params = json.load(open(download_artifacts("models:/${modelName}@champion/model.json")))["params"]
nb = GaussianNB(var_smoothing=params["varSmoothing"])
nb.classes_ = np.array(params["classNames"])
nb.theta_ = np.array(params["means"])
nb.var_ = np.array(params["variances"])
nb.class_prior_ = np.exp(params["logPriors"])
nb.class_count_ = np.array(params["classCounts"], dtype=float)
nb.epsilon_ = params["epsilon"]
nb.n_features_in_ = len(params["featureNames"])
print(nb.predict_proba([[5.1, 3.5, 1.4, 0.2]]))
\`\`\`

The registry stays the source of truth: serving never reads MLflow. The \`champion\` alias
follows the current version, \`challenger\` the canary (or, without one, the shadow).
`;
}
