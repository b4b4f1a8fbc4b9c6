/**
 * A tiny chart.js plugin: draws each point's error bar, the interval in which
 * the true deploy-to-visible latency lies (last miss .. first hit). Datasets
 * opt in with `errorBars: true`; points carry `lo` and `hi` in the y unit.
 */
import type { Chart, Plugin } from 'chart.js';

export interface ErrorBarPoint {
  x: number;
  y: number;
  lo: number;
  hi: number;
}

const CAP = 3;

export const errorBarsPlugin: Plugin = {
  id: 'freshprobeErrorBars',
  afterDatasetsDraw(chart: Chart) {
    const { ctx, scales } = chart;
    const y = scales.y;
    if (!y) return;
    chart.data.datasets.forEach((dataset, i) => {
      const meta = chart.getDatasetMeta(i);
      if (!(dataset as { errorBars?: boolean }).errorBars || meta.hidden) return;
      ctx.save();
      ctx.strokeStyle = String(dataset.borderColor ?? '#888');
      ctx.lineWidth = 1;
      meta.data.forEach((element, j) => {
        const point = dataset.data[j] as unknown as ErrorBarPoint | undefined;
        if (!point || point.hi <= point.lo) return;
        const x = element.x;
        const top = y.getPixelForValue(point.hi);
        const bottom = y.getPixelForValue(point.lo);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - CAP, top);
        ctx.lineTo(x + CAP, top);
        ctx.moveTo(x - CAP, bottom);
        ctx.lineTo(x + CAP, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};
