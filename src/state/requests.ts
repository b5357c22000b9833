// Questions the page asks the worker that are not about a run (the augmentation preview), each answered once by
// its number; if the worker goes away first, every open question is answered with nothing.
export function createRequests<T>() {
  const waiting = new Map<number, (answer: T | null) => void>();
  let next = 1;
  return {
    /** Send a question under a new number; resolves with its answer, or null. */
    ask(send: (requestId: number) => void): Promise<T | null> {
      const requestId = next++;
      return new Promise((resolve) => {
        waiting.set(requestId, resolve);
        send(requestId);
      });
    },
    answer(requestId: number, value: T | null): void {
      waiting.get(requestId)?.(value);
      waiting.delete(requestId);
    },
    failAll(): void {
      for (const resolve of waiting.values()) resolve(null);
      waiting.clear();
    },
  };
}
