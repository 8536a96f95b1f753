/**
 * Plotly figure builders: plain numbers in, `{data, layout}` out, styled by the current theme.
 * Show them with `show()` from src/notebook.
 */
export type { Figure, HistoryLike, Layout, Trace } from './figure';
export { getTheme, setTheme } from './theme';
export type { Theme, ThemeName } from './theme';
export { trainingCurvesFigure } from './training';
export type { TrainingCurvesOptions } from './training';
export { imageGridFigure, predictionTitle } from './images';
export type { GridImage, ImageGridOptions } from './images';
export { confusionMatrixFigure } from './confusion';
export type { ConfusionMatrixOptions } from './confusion';
export { barFigure, scatterFigure } from './charts';
export type { BarOptions, ScatterOptions, ScatterPoint } from './charts';
export { pca2d, projectionFigure } from './projection';
export type { PcaResult } from './projection';
export { activationMapsFigure, filterGridFigure } from './filters';
export type { ActivationMapsOptions, FilterGridOptions } from './filters';
export { toHtmlTable } from './tables';
export type { ColumnFormat, DataFrameLike, HtmlTable, TableOptions } from './tables';
