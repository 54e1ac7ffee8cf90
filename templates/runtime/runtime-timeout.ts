// One deadline for a promise the guard waits on (a quota store's answer, a token
// provider's token): settled as the promise is, or rejected once `ms` have passed, so
// nothing that decides a request can hold it longer than its configured timeout. The
// timer is unref'd (it never keeps a process alive) and cleared when the promise wins.
// No imports: every feature that waits on something outside can use it.

/** `promise`, or an Error saying `what` did not answer within `ms` (at most 2^31 - 1, what a timer can hold). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (reason: unknown) => (clearTimeout(timer), reject(reason)),
    );
  });
}
