/**
 * Keeps the index current without a full reload: every N seconds (the page's
 * data-refresh) it fetches the page and swaps in the new <main> and footer,
 * unless the tab is hidden or focus is inside <main> (a reader mid-table is
 * never moved). A button pauses it, as WCAG 2.2.2 asks of moving content;
 * the choice is remembered. Without JavaScript, the page says to reload.
 */
const KEY = 'freshprobe.autoRefresh';

function swap(doc: Document): void {
  for (const selector of ['main', 'footer > p']) {
    const next = doc.querySelector(selector);
    const current = document.querySelector(selector);
    if (next && current) current.replaceWith(next);
  }
}

async function refresh(): Promise<void> {
  const main = document.querySelector('main');
  if (document.hidden || main?.contains(document.activeElement)) return;
  const res = await fetch(location.href, { headers: { Accept: 'text/html' } });
  if (!res.ok) return;
  swap(new DOMParser().parseFromString(await res.text(), 'text/html'));
}

export function autoRefresh(): void {
  const seconds = Number(document.body.dataset.refresh);
  const footer = document.querySelector('footer');
  if (!seconds || !footer) return;
  let on = localStorage.getItem(KEY) !== 'off';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy';
  const show = () => {
    button.textContent = on ? `Pause auto-refresh (every ${seconds} s)` : 'Resume auto-refresh';
    button.setAttribute('aria-pressed', String(!on));
  };
  button.addEventListener('click', () => {
    on = !on;
    localStorage.setItem(KEY, on ? 'on' : 'off');
    show();
  });
  show();
  footer.append(button);
  setInterval(() => {
    if (on) void refresh().catch(() => undefined);
  }, seconds * 1000);
}
