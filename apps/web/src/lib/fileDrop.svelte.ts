const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

/**
 * Files dragged onto a pane: `isDragging` while they are over it (to show a drop zone), and the files
 * once dropped. Enter and leave fire for every child crossed, so a count of them says whether the
 * pointer is still inside.
 */
export class FileDrop {
  #depth = $state(0);
  readonly #isRefused: () => boolean;
  readonly #onDrop: (files: File[]) => void;

  /** `isRefused`: dropping is not possible now (the drag shows "none"); `onDrop` still hears of the files, to say why. */
  constructor(options: { isRefused: () => boolean; onDrop: (files: File[]) => void }) {
    this.#isRefused = options.isRefused;
    this.#onDrop = options.onDrop;
  }

  get isDragging(): boolean {
    return this.#depth > 0;
  }

  readonly ondragenter = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    this.#depth++;
  };

  readonly ondragover = (event: DragEvent): void => {
    if (!hasFiles(event) || !event.dataTransfer) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = this.#isRefused() ? 'none' : 'copy';
  };

  readonly ondragleave = (event: DragEvent): void => {
    if (hasFiles(event)) this.#depth = Math.max(0, this.#depth - 1);
  };

  readonly ondrop = (event: DragEvent): void => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    this.#depth = 0;
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length > 0) this.#onDrop(files);
  };

  /** For the window: a file dropped just beside the pane would make the browser open it in place of the app. */
  readonly onWindowDrag = (event: DragEvent): void => {
    if (hasFiles(event)) event.preventDefault();
  };

  /** The drag ended elsewhere (dragend on the window). */
  readonly end = (): void => {
    this.#depth = 0;
  };
}
