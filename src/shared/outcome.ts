/**
 * The reply of a long, cancellable worker call: a cancel is an outcome the page
 * reads by its status, not an error whose message it has to recognise.
 */
export type Outcome<T> = { status: 'done'; value: T } | { status: 'cancelled'; message: string };

/** Runs `work`; an error of the given class (the runtime's "cancelled" signal) becomes a cancelled outcome. */
export async function outcomeOf<T>(work: () => Promise<T>, cancelled: new (...args: never[]) => Error): Promise<Outcome<T>> {
  try {
    return { status: 'done', value: await work() };
  } catch (error) {
    if (error instanceof cancelled) return { status: 'cancelled', message: error.message };
    throw error;
  }
}
