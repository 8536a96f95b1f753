/**
 * Notebook output: `show()` for figures, tables and text, live displays and progress bars,
 * rendered richly inside tslab and as text / HTML files in a terminal.
 */
export { createDisplay, isNotebook, mimeBundle, PLOTLY_MIME, plotsDir, resetPlotlyBundle, show } from './display';
export type { Displayable, LiveDisplay, ShowOptions } from './display';
export { formatDuration, ProgressBar, track } from './progress';
export { featureProgress, featureProgressBars, textProgressBar } from './feature_progress';
export type { BottleneckPass, FeatureProgressOptions } from './feature_progress';
export type { ProgressBarOptions, ProgressStream } from './progress';
export { checkExercise, evaluateExercise, isUnanswered, ExerciseCheckError, type ExerciseCondition, type ExerciseResult } from './exercise';
export { showImages, loadGridImages, type ShowImagesOptions } from './images';
