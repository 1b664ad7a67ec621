import { ref } from 'vue';

/**
 * Files dragged onto an area: `over` while they hover (for the drop hint), the files handed on when
 * dropped. Counting enters and leaves keeps the hint from flickering over the area's children.
 */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const over = ref(false);
  let depth = 0;

  return { over, enter, leave, drop };

  function carriesFiles(event: DragEvent): boolean {
    return [...(event.dataTransfer?.types ?? [])].includes('Files');
  }

  function enter(event: DragEvent): void {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (event.type === 'dragenter') depth++;
    over.value = true;
  }

  function leave(): void {
    depth = Math.max(0, depth - 1);
    if (depth === 0) over.value = false;
  }

  function drop(event: DragEvent): void {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0;
    over.value = false;
    onFiles([...(event.dataTransfer?.files ?? [])]);
  }
}
