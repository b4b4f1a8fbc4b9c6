/**
 * Progressive enhancement for the status pages. Everything works without
 * this script; it draws the latency chart from the data the server embedded,
 * adds copy buttons to the badge snippets, and keeps the index current.
 */
import { drawLatencyChart } from './latency-chart.js';
import { autoRefresh } from './refresh.js';

document.documentElement.classList.add('js');

function chart(): void {
  const canvas = document.getElementById('latency-chart');
  const source = document.getElementById('latency-data');
  if (!(canvas instanceof HTMLCanvasElement) || !source?.textContent) return;
  const data = JSON.parse(source.textContent);
  if (!data.points?.length) return;
  const instance = drawLatencyChart(canvas, data);
  canvas.dataset.points = String(data.points.length);
  // Tests and curious operators can reach the chart instance.
  (window as unknown as { freshprobeChart?: unknown }).freshprobeChart = instance;
}

function copyButtons(): void {
  const status = document.getElementById('copy-status');
  for (const pre of document.querySelectorAll<HTMLElement>('pre[data-copy]')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', `Copy ${pre.dataset.copy ?? 'snippet'}`);
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent ?? '');
        if (status) status.textContent = `Copied ${pre.dataset.copy ?? 'snippet'}.`;
      } catch {
        if (status) status.textContent = 'Copying is not allowed here: select the text instead.';
      }
    });
    pre.before(button);
  }
}

function start(): void {
  chart();
  copyButtons();
  autoRefresh();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
