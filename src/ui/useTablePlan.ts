import { useMemo } from 'react';
import { planTable, type TablePlan, type TableResult } from '../data/table';
import { useTableStore } from '../state/tableStore';
import type { ExperimentSpec } from '../experiment';

/** How the person's table trains under this spec (target, task, encoded inputs); null for other data or no table. */
export function useTablePlan(spec: ExperimentSpec): TableResult<TablePlan> | null {
  const table = useTableStore((s) => s.table);
  const { target, task } = spec.dataset.table ?? { target: '', task: 'auto' };
  const isTable = spec.dataset.kind === 'userTable';
  return useMemo(() => (isTable && table ? planTable(table, { target, task }) : null), [isTable, table, target, task]);
}

/** The model's input and output widths for a table plan. */
export function tableShape(plan: TablePlan): { inputDim: number; outputDim: number } {
  return { inputDim: plan.inputNames.length, outputDim: plan.task === 'multiclass' ? plan.classes!.length : 1 };
}
