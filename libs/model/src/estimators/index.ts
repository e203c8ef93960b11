export * from './estimator';
export * from './import-model';
export * from './registry';
export { VARIANCE_FLOOR, fitGaussianNB, gaussianNB, type FitGaussianNBOptions, type GaussianNBHyperparameters } from './gaussian-nb/gaussian-nb';
export type { GaussianNBParams } from './gaussian-nb/gaussian-nb-params';
export { scoreGaussianNB } from './gaussian-nb/gaussian-nb-scorer';
export { fitLogisticRegression, logisticRegression, type LogisticRegressionHyperparameters } from './logistic-regression/logistic-regression';
export type { LogisticRegressionParams } from './logistic-regression/logistic-regression-params';
export { MAX_PARAMETERS } from './logistic-regression/newton-solver';
