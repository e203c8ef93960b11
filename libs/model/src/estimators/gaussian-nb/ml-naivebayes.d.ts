// ml-naivebayes 4 ships no typings; this covers only the surface fitGaussianNB relies on.
declare module 'ml-naivebayes' {
  /** Per class: [logPrior, ...per feature [1 / (sqrt(2π)·std), −2·std²]] with the sample (n−1) std. */
  export type GaussianClassTerms = [number, ...Array<[number, number]>];

  export interface GaussianNBModelJSON {
    modelName: 'NaiveBayes';
    means: number[][];
    calculateProbabilities: GaussianClassTerms[];
  }

  export class GaussianNB {
    constructor(reload?: boolean, model?: GaussianNBModelJSON);
    train(trainingSet: number[][], trainingLabels: number[]): void;
    predict(dataset: number[][]): number[];
    toJSON(): GaussianNBModelJSON;
    static load(model: GaussianNBModelJSON): GaussianNB;
  }
}
