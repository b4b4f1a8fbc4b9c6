/** Where a command writes: injected so tests capture output without spawning. */
export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

export const processIo: Io = { out: process.stdout, err: process.stderr };

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
