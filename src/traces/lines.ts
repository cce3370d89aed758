/**
 * Bytes to lines. A transcript is read as one window, or, past the byte cap, as a head window and
 * a tail window: the head holds the session's first request, the tail its last message, last todo
 * list and latest changes, and the middle is what a handoff can most afford to lose. Lines cut by
 * a window's edge are dropped, never parsed as malformed.
 */

/** A byte range of the file to read. */
export interface ByteWindow {
  readonly start: number;
  readonly end: number;
  /** The window starts inside a line: the bytes up to and including the first newline are dropped. */
  readonly dropFirst: boolean;
  /** The window ends inside a line (the cap cut it): a last line with no newline is dropped. */
  readonly cutAtEnd: boolean;
}

/** The windows to read of a file of `size` bytes, and how many bytes lie between them. */
export function planWindows(size: number, maxBytes: number, headBytes: number): { windows: ByteWindow[]; skipped: number } {
  if (size <= maxBytes) return { windows: [{ start: 0, end: size, dropFirst: false, cutAtEnd: false }], skipped: 0 };
  const head = Math.min(headBytes, maxBytes - 1);
  // The tail's first byte is the one before the first byte it keeps: when that byte is a newline,
  // the tail starts on a whole line; otherwise the partial line up to the next newline is dropped.
  const tailStart = size - (maxBytes - head);
  const windows: ByteWindow[] = [];
  if (head > 0) windows.push({ start: 0, end: head, dropFirst: false, cutAtEnd: true });
  windows.push({ start: tailStart, end: size, dropFirst: true, cutAtEnd: false });
  return { windows, skipped: tailStart - head };
}

/**
 * Splits one window's bytes into lines as chunks arrive, holding at most one partial line.
 * `onLine` gets each line's bytes (without `\n` or `\r\n`) and whether a newline ended it.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private dropping: boolean;

  constructor(
    private readonly onLine: (bytes: Buffer, terminated: boolean) => void,
    dropFirst: boolean,
  ) {
    this.dropping = dropFirst;
  }

  /** Takes the next chunk; the chunk must not be reused by the caller afterwards. */
  push(chunk: Buffer): void {
    let from = 0;
    for (let newline = chunk.indexOf(10, from); newline !== -1; newline = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, newline);
      from = newline + 1;
      if (this.dropping) {
        this.dropping = false;
        this.pending = [];
        continue;
      }
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.onLine(withoutCarriageReturn(line), true);
    }
    if (from < chunk.length) this.pending.push(chunk.subarray(from));
  }

  /** The window is read: a last line without a newline is passed on, unless the window cut it. */
  end(cutAtEnd: boolean): void {
    const rest = this.pending.length === 0 ? undefined : Buffer.concat(this.pending);
    this.pending = [];
    if (rest !== undefined && !this.dropping && !cutAtEnd) this.onLine(withoutCarriageReturn(rest), false);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** A line's text; bytes that are not UTF-8 become U+FFFD and `valid` is false. */
export function decodeLine(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), valid: true };
  } catch {
    return { text: lenientUtf8.decode(bytes), valid: false };
  }
}

function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
}
