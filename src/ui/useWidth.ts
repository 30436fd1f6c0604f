import { useLayoutEffect, useState } from 'react';

/**
 * An element's content width, followed as it changes (ResizeObserver): a chart drawn in SVG lays itself
 * out for the room it has (a phone's 390 px), not for a fixed width. `undefined` until the element is
 * measured; pass `ref` as the element's ref.
 */
export function useWidth<T extends HTMLElement>(): { ref: (el: T | null) => void; width: number | undefined } {
  const [element, ref] = useState<T | null>(null);
  const [width, setWidth] = useState<number>();
  useLayoutEffect(() => {
    if (!element) return;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0].contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return { ref, width };
}
