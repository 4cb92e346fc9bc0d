/**
 * A small synchronous event hub: listeners must not block. A listener that throws is told to
 * `onListenerError` (when given) and the others still hear the event.
 */
export function createEventHub<Event>(onListenerError?: (error: unknown, event: Event) => void) {
  const listeners = new Set<(event: Event) => void>();
  return {
    /** Hears every event; returns the function that stops listening. */
    on(listener: (event: Event) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event: Event): void {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          if (!onListenerError) throw error;
          onListenerError(error, event);
        }
      }
    },
    clear(): void {
      listeners.clear();
    },
  };
}
