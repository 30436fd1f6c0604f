import * as Comlink from 'comlink';
import type { FaultReport } from '../shared/faultReport';

/**
 * How an error thrown in the model worker reaches the page with its fault's kind, file and cause.
 *
 * Comlink sends a thrown Error as its message, name and stack only (its built-in "throw" handler), so a
 * Fault's kind would be lost on the way. Both sides register this handler in its place: the worker with
 * `reportOf` (runtime/faults.ts, which finds the Fault behind an error), the page without. On the
 * page the call then rejects with a WorkerError whose `fault` is the report (faultOf), as plain data.
 */
export class WorkerError extends Error {
  constructor(
    message: string,
    readonly fault?: FaultReport,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** The fault a rejected worker call reports, if any. */
export const faultOf = (error: unknown): FaultReport | undefined => (error instanceof WorkerError ? error.fault : undefined);

/** Comlink's own shape for a thrown error, with the fault beside the message. */
interface SentError {
  isError: true;
  value: { message: string; name: string; stack?: string; fault?: FaultReport };
}
type Sent = SentError | { isError: false; value: unknown };

/** Replaces Comlink's "throw" handler (a Map key's position stays, so it is still asked before any other). */
export function registerErrorTransfer(reportOf?: (error: unknown) => FaultReport | undefined): void {
  const builtIn = Comlink.transferHandlers.get('throw');
  if (!builtIn) throw new Error('Comlink has no "throw" transfer handler to replace.');
  const handler: Comlink.TransferHandler<{ value: unknown }, Sent> = {
    canHandle: (value): value is { value: unknown } => builtIn.canHandle(value),
    serialize({ value }) {
      if (!(value instanceof Error)) return [{ isError: false, value }, []];
      const fault = reportOf?.(value);
      return [{ isError: true, value: { message: value.message, name: value.name, stack: value.stack, ...(fault && { fault }) } }, []];
    },
    deserialize(sent) {
      if (!sent.isError) throw sent.value;
      const { message, stack, fault } = sent.value;
      const error = new WorkerError(message, fault);
      if (stack) error.stack = stack;
      throw error;
    },
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
}
