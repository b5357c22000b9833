// The bounds of every numeric field of an experiment: the UI's inputs, validation and the docs use the same ones.

export const LIMITS = {
  samples: { min: 20, max: 5000 },
  mnistSamples: { min: 100, max: 10000 },
  /** Full MNIST and Fashion-MNIST: images of the official training part used (training and validation). */
  imageSamples: { min: 100, max: 60000 },
  /** Your own images: how many of them to use (training, validation and test). */
  ownImages: { min: 10, max: 20000 },
  textWindows: { min: 200, max: 50000 },
  toyExamples: { min: 200, max: 20000 },
  seriesLength: { min: 100, max: 10000 },
  tableRows: { min: 20, max: 100000 },
  drawnPoints: { max: 2000 },
  /** Augmentation: pixels of shift, degrees of rotation. */
  augmentShift: { min: 0, max: 6 },
  augmentRotation: { min: 0, max: 45 },
  /** Context of a language model, in characters or tokens (the memory estimate refuses what would not fit). */
  textContext: { min: 4, max: 512 },
  /** A byte-pair vocabulary: the 256 bytes at least. */
  bpeVocab: { min: 256, max: 16384 },
  seriesWindow: { min: 2, max: 64 },
  digits: { min: 1, max: 8 },
  additionDigits: { min: 1, max: 6 },
  lstmLayers: { min: 1, max: 3 },
  /** σ of Gaussian initial weights: from barely moving to saturating every tanh. */
  initStd: { min: 1e-4, max: 10 },
  embedding: { min: 2, max: 128 },
  /** Up to GPT sizes of about 10M parameters and more (12 × 384 is 21M); the memory estimate has the last word. */
  transformerLayers: { min: 1, max: 12 },
  dModel: { min: 4, max: 512 },
  heads: { min: 1, max: 16 },
  noise: { min: 0, max: 3 },
  validationSplit: { min: 0.05, max: 0.5 },
  testSplit: { min: 0, max: 0.4 },
  /** Validation and test together leave at least this much for training. */
  heldOut: { max: 0.6 },
  hiddenLayers: { max: 8 },
  /** A CNN: its convolution, pooling and residual layers, then up to 3 dense layers. */
  cnnLayers: { min: 1, max: 12 },
  cnnDense: { max: 3 },
  filters: { min: 1, max: 128 },
  kernel: { min: 1, max: 11 },
  convStride: { min: 1, max: 4 },
  poolSize: { min: 1, max: 8 },
  residualStride: { min: 1, max: 2 },
  units: { min: 1, max: 256 },
  dropout: { min: 0, max: 0.9 },
  learningRate: { min: 0, max: 10 },
  batchSize: { min: 1, max: 1024 },
  epochs: { min: 1, max: 10000 },
  penalty: { min: 0, max: 1 },
  seed: { min: 0, max: 2 ** 32 - 1 },
} as const;
