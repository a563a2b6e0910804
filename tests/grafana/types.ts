// tests/grafana/types.ts - the type a generated dashboard must have,
// built from Grafana's own types (@grafana/schema, pinned in
// package.json). tests/dashboard.sh writes every generated dashboard as
// `const d: CostmonDashboard = <its JSON>;` and runs `tsc --noEmit`, so
// an unknown field, a field of the wrong type or a value outside one of
// Grafana's enums fails the suite. Panels are checked against the
// options and field config types of their panel plugin (stat, gauge,
// timeseries), rows against RowPanel, queries against DataQuery plus the
// Prometheus query fields costmon writes.
import type {
  Dashboard,
  DataQuery,
  DataSourceRef,
  FieldConfig,
  GridPos,
  RowPanel,
  ThresholdsConfig,
  VariableModel,
} from '@grafana/schema';
import type { Options as GaugeOptions } from '@grafana/schema/dist/esm/raw/composable/gauge/panelcfg/x/GaugePanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

// A type as JSON holds it: Grafana's string enums become the union of
// their string values (JSON has no enums); everything else is kept.
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

// A Prometheus query as costmon writes it.
type PromQuery = Json<DataQuery> & {
  datasource: Json<DataSourceRef>;
  expr: string;
  legendFormat?: string;
  range?: boolean;
  instant?: boolean;
};

type Defaults<Custom> = Omit<Json<FieldConfig>, 'custom' | 'thresholds'> & {
  thresholds: Json<ThresholdsConfig>;
  custom?: Json<Partial<Custom>>;
};

type PanelOf<Type extends string, Options, Custom> = {
  id: number;
  type: Type;
  title: string;
  description?: string;
  datasource: Json<DataSourceRef>;
  gridPos: Json<GridPos>;
  fieldConfig: { defaults: Defaults<Custom>; overrides: [] };
  options: Json<Partial<Options>>;
  targets: PromQuery[];
};

export type StatPanel = PanelOf<'stat', StatOptions, {}>;
export type GaugePanel = PanelOf<'gauge', GaugeOptions, {}>;
export type TimeSeriesPanel = PanelOf<'timeseries', TimeSeriesOptions, TimeSeriesFieldConfig>;
export type Row = Json<RowPanel> & { panels: [] };

export type CostmonDashboard = Omit<Json<Dashboard>, 'panels' | 'templating'> & {
  uid: string;
  title: string;
  panels: Array<Row | StatPanel | GaugePanel | TimeSeriesPanel>;
  templating: { list: Array<Json<VariableModel>> };
};
